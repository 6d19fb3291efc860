/*
description: >
  Cohort retention triangles by week and month: for each cohort (users whose first active period is
  cohort_start) and period_number k from 0 to the last period of the series, how many of the cohort were active
  in cohort_start + k. Zero cells are rows too.
# Incremental by cohort: a run rebuilds the cohorts of the users the new loads have events for (where they start
# now and where they started before, as a late event can move a user to an earlier cohort), and every cohort of a
# grain whose series gained a period (each cohort gets a cell for it).
materialization: incremental
partition_by: cohort_start
lookback: 31 days
affected: |
  with changed_users as (
      select distinct user_id from {{ changed('raw_events') }} as changed_rows
  ),
  firsts as (
      select {{ utc_date(first_event_at) }} as first_day from {{ ref('dim_users') }}
      where user_id in (select user_id from changed_users)
      union all
      select min(event_date) from {{ ref('stg_events') }}
      where file_id <= {{ previous_load() }} and user_id in (select user_id from changed_users)
      group by user_id
  ),
  series_end as (
      select grain, max(period_start) as last_start from {{ ref('growth_accounting') }} where grain in ('week', 'month') group by grain
  ),
  table_end as (
      select cohort_grain as grain,
          max(case cohort_grain
              when 'week' then {{ date_add('week', period_number, cohort_start) }}
              else {{ date_add('month', period_number, cohort_start) }}
          end) as last_start
      from {{ this }}
      group by cohort_grain
  )
  select {{ date_trunc('week', first_day) }} from firsts
  union all
  select {{ date_trunc('month', first_day) }} from firsts
  union all
  select r.cohort_start from {{ this }} r
  join series_end s on s.grain = r.cohort_grain
  left join table_end t on t.grain = r.cohort_grain
  where t.last_start is null or s.last_start <> t.last_start
tags: [marts, retention]
owner: growth
checks:
  - not_null: [cohort_grain, cohort_start, period_number, cohort_size, retained_users, retention_rate]
  - unique: [cohort_grain, cohort_start, period_number]
  - accepted_values: {column: cohort_grain, values: [week, month]}
  - expression:
      name: retention_cohorts__rate_in_unit_interval
      sql: retention_rate between 0 and 1 and retained_users <= cohort_size
  - expression:
      name: retention_cohorts__cohort_size_is_retained_at_zero
      sql: period_number <> 0 or retained_users = cohort_size
*/
with periods as (
    select
        grain,
        user_id,
        period_index,
        min(period_index) over (partition by user_id, grain) as cohort_index
    from {{ ref('user_activity_periods') }}
    where grain in ('week', 'month')
    {% if is_incremental() %}
    and user_id in (
        select user_id from (select user_id, {{ utc_date(first_event_at) }} as first_day from {{ ref('dim_users') }}) as firsts
        where {{ date_trunc('week', first_day) }} in {{ affected() }} or {{ date_trunc('month', first_day) }} in {{ affected() }}
    )
    {% endif %}
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
    from {{ ref('growth_accounting') }}
    group by grain
),
grid as (
    select c.grain, c.cohort_index, c.cohort_size, period_number
    from cohorts c
    join last_period l on l.grain = c.grain
    {{ join_series(period_number, 0, l.last_index - c.cohort_index) }}
)
select
    g.grain as cohort_grain,
    -- growth_accounting already turns period indexes into dates; read them rather than derive them again.
    p.period_start as cohort_start,
    g.period_number,
    g.cohort_size,
    coalesce(c.retained_users, 0) as retained_users,
    {{ safe_divide(coalesce(c.retained_users, 0), g.cohort_size) }} as retention_rate
from grid g
join {{ ref('growth_accounting') }} p on p.grain = g.grain and p.period_index = g.cohort_index
left join cells c on c.grain = g.grain and c.cohort_index = g.cohort_index and c.period_number = g.period_number
