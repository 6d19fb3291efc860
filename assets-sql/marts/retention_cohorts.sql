/*
description: >
  Cohort retention triangles per tenant by week and month: for each cohort (users whose first active period is
  cohort_start) and period_number k from 0 to the last period of the series, how many of the cohort were active
  in cohort_start + k. Zero cells are rows too.
# Kept a full table because an incremental build does not pay: a day's events come from users of nearly every cohort
# (58 of 63 on the benchmark's batch), so rebuilding the affected cohorts (commit c99f1d2, equal to a full rebuild in
# the differential test) is a full rebuild plus the work of finding them: 8.4 s against 6.4 s at 10 M events.
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
-- A user's cohort is the period of their first event (dim_users), the same events' first active period: each active
-- period is counted against it by one hash join instead of a sort of every user's periods for their minimum.
with firsts as (
    select
        tenant_id,
        user_id,
        {{ date_diff('week', date '1970-01-05', first_day) }} as first_week,
        {{ date_diff('month', date '1970-01-01', first_day) }} as first_month
    from (select tenant_id, user_id, {{ utc_date(first_event_at) }} as first_day from {{ ref('dim_users') }}) u
),
cells as (
    select
        p.tenant_id,
        p.grain,
        case p.grain when 'week' then f.first_week else f.first_month end as cohort_index,
        p.period_index - case p.grain when 'week' then f.first_week else f.first_month end as period_number,
        count(*) as retained_users
    from {{ ref('user_activity_periods') }} p
    join firsts f on f.tenant_id = p.tenant_id and f.user_id = p.user_id
    where p.grain in ('week', 'month')
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
