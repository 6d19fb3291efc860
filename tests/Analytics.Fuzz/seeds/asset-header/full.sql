/*
description: Daily active users
materialization: incremental
owner: growth
tags: [growth, daily]
checks:
  - not_null: [activity_date]
  - unique: activity_date
  - accepted_values: {column: grain, values: [day, week]}
*/
select activity_date, count(distinct user_id) as dau from {{ ref('fct_events') }} group by 1
