with periods as (
    select
        grain,
        user_id,
        period_index,
        min(period_index) over (partition by user_id, grain) as cohort_index
    from `core.user_activity_periods`
    where grain in ('week', 'month')
),
cells as (
    select grain, cohort_index, period_index - cohort_index as period_number, count(*) as retained_users
    from periods
    group by grain, cohort_index, period_index - cohort_index
),
cohorts as (
    select grain, cohort_index, retained_users as cohort_size
    from cells
    where period_number = 0
),
last_period as (
    select grain, max(period_index) as last_index
    from `core.growth_accounting`
    group by grain
),
grid as (
    select c.grain, c.cohort_index, c.cohort_size, period_number
    from cohorts c
    join last_period l on l.grain = c.grain
    CROSS JOIN UNNEST(GENERATE_ARRAY(0, l.last_index - c.cohort_index)) AS period_number
)
select
    g.grain as cohort_grain,
    -- growth_accounting already turns period indexes into dates; read them rather than derive them again.
    p.period_start as cohort_start,
    g.period_number,
    g.cohort_size,
    coalesce(c.retained_users, 0) as retained_users,
    SAFE_DIVIDE(coalesce(c.retained_users, 0), g.cohort_size) as retention_rate
from grid g
join `core.growth_accounting` p on p.grain = g.grain and p.period_index = g.cohort_index
left join cells c on c.grain = g.grain and c.cohort_index = g.cohort_index and c.period_number = g.period_number
