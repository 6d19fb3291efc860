/* tags: growth
materialization: view */
select * from {{ ref("x") }}