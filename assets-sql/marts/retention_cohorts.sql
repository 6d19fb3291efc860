/*
description: >
  Cohort retention triangles per tenant by week and month: for each cohort (users whose first active period is
  cohort_start) and period_number k from 0 to the last period of the series, how many of the cohort were active
  in cohort_start + k. Zero cells are rows too.
# A full table, but a small one: it sums cohort_activity (incremental by period), whose rows are already counts. Built
# incrementally by cohort it did not pay: a day's events come from users of nearly every cohort (58 of 63 on the
# benchmark's batch; commit c99f1d2).
materialization: table
tags: [marts, retention]
owner: growth
checks:
  - not_null: [cohort_grain, cohort_start, period_number, cohort_size, retained_users, retention_rate, tenant_id]
  - unique: [tenant_id, cohort_grain, cohort_start, period_number]
  - accepted_values: {column: cohort_grain, values: [week, month]}
  - expression:
      name: retention_cohorts__rate_in_unit_interval
      sql: retention_rate between 0 and 1 and retained_users <= cohort_size
  - expression:
      name: retention_cohorts__cohort_size_is_retained_at_zero
      sql: period_number <> 0 or retained_users = cohort_size
*/
-- Summed from cohort_activity, which already counts each period's active users by cohort: no join of every active
-- period of every user to dim_users on each run.
with cells as (
    select
        tenant_id,
        grain,
        cohort_index,
        period_index - cohort_index as period_number,
        {{ cast(sum(users), bigint) }} as retained_users
    from {{ ref('cohort_activity') }}
    group by 1, 2, 3, 4
),
cohorts as (
    select tenant_id, grain, cohort_index, retained_users as cohort_size
    from cells
    where period_number = 0
),
last_period as (
    select tenant_id, grain, max(period_index) as last_index
    from {{ ref('growth_accounting') }}
    group by tenant_id, grain
),
grid as (
    select c.tenant_id, c.grain, c.cohort_index, c.cohort_size, period_number
    from cohorts c
    join last_period l on l.tenant_id = c.tenant_id and l.grain = c.grain
    {{ join_series(period_number, 0, l.last_index - c.cohort_index) }}
)
select
    g.grain as cohort_grain,
    -- growth_accounting already turns period indexes into dates; read them rather than derive them again.
    p.period_start as cohort_start,
    g.period_number,
    g.cohort_size,
    coalesce(c.retained_users, 0) as retained_users,
    {{ safe_divide(coalesce(c.retained_users, 0), g.cohort_size) }} as retention_rate,
    g.tenant_id
from grid g
join {{ ref('growth_accounting') }} p on p.tenant_id = g.tenant_id and p.grain = g.grain and p.period_index = g.cohort_index
left join cells c on c.tenant_id = g.tenant_id and c.grain = g.grain and c.cohort_index = g.cohort_index and c.period_number = g.period_number
