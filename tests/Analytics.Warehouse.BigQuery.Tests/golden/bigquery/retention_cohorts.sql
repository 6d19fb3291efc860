-- Summed from cohort_activity, which already counts each period's active users by cohort: no join of every active
-- period of every user to dim_users on each run.
with cells as (
    select
        tenant_id,
        grain,
        cohort_index,
        period_index - cohort_index as period_number,
        CAST(sum(users) AS INT64) as retained_users
    from `core.cohort_activity`
    group by 1, 2, 3, 4
),
cohorts as (
    select tenant_id, grain, cohort_index, retained_users as cohort_size
    from cells
    where period_number = 0
),
last_period as (
    select tenant_id, grain, max(period_index) as last_index
    from `core.growth_accounting`
    group by tenant_id, grain
),
grid as (
    select c.tenant_id, c.grain, c.cohort_index, c.cohort_size, period_number
    from cohorts c
    join last_period l on l.tenant_id = c.tenant_id and l.grain = c.grain
    CROSS JOIN UNNEST(GENERATE_ARRAY(0, l.last_index - c.cohort_index)) AS period_number
)
select
    g.grain as cohort_grain,
    -- growth_accounting already turns period indexes into dates; read them rather than derive them again.
    p.period_start as cohort_start,
    g.period_number,
    g.cohort_size,
    coalesce(c.retained_users, 0) as retained_users,
    SAFE_DIVIDE(coalesce(c.retained_users, 0), g.cohort_size) as retention_rate,
    g.tenant_id
from grid g
join `core.growth_accounting` p on p.tenant_id = g.tenant_id and p.grain = g.grain and p.period_index = g.cohort_index
left join cells c on c.tenant_id = g.tenant_id and c.grain = g.grain and c.cohort_index = g.cohort_index and c.period_number = g.period_number
