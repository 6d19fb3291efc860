/*
description: >
  One row per day from the first to the last valid event: DAU, WAU (distinct users active in [date-6, date]),
  MAU ([date-27, date]), stickiness = dau / mau, and day-grain growth accounting.
# Incremental by day: a change on day d moves WAU and MAU on d..d+27, churn on d+1, and the day-grain accounting of
# each of its users' next active day.
materialization: incremental
partition_by: date
lookback: 3 days
affected: |
  with changed_days as (
      select distinct user_id, {{ utc_date(event_time) }} as d from {{ changed('raw_events') }} as changed_rows
  )
  select {{ date_add('day', offset_days, d) }} from (select distinct d from changed_days) as days {{ join_series(offset_days, 0, 27) }}
  union all
  select (select min(a.activity_date) from {{ ref('user_activity_days') }} a where a.user_id = c.user_id and a.activity_date > c.d)
  from changed_days c
tags: [marts, growth]
owner: growth
freshness: {max_age: 30m}
checks:
  - not_null: [date, dau, wau, mau, new_users, retained_users, resurrected_users, churned_users]
  - unique: date
  - expression:
      name: growth_metrics__dau_le_wau_le_mau
      sql: dau <= wau and wau <= mau
  - expression:
      name: growth_metrics__active_is_new_retained_resurrected
      sql: dau = new_users + retained_users + resurrected_users
  - expression:
      name: growth_metrics__stickiness_in_unit_interval
      sql: stickiness is null or stickiness between 0 and 1
  - query:
      name: growth_metrics__previous_dau_is_retained_churned
      sql: >
        select * from (select date, retained_users, churned_users, lag(dau) over (order by date) as previous_dau
                       from {{ this }}) d
        where previous_dau <> retained_users + churned_users
*/
{% if is_incremental() %}
-- Each affected day counts its 7- and 28-day windows directly: a few days of user-days each.
with windows as (
    select
        g.period_index,
        {{ count_distinct_if(a.user_id, a.day_index > g.period_index - 7) }} as wau,
        count(distinct a.user_id) as mau
    from {{ ref('growth_accounting') }} g
    left join {{ ref('user_activity_days') }} a
        on a.activity_date <= g.period_start and a.activity_date >= {{ date_add('day', -27, g.period_start) }}
    where g.grain = 'day' and g.period_start in {{ affected() }}
    group by g.period_index
),
rolling as (
    select period_index, {{ cast(wau, numeric) }} as wau, {{ cast(mau, numeric) }} as mau from windows
)
{% else %}
with days as (
    select
        day_index as period_index,
        lag(day_index) over (partition by user_id order by day_index) as previous_index
    from {{ ref('user_activity_days') }}
),
-- A user counts in WAU on [d, d+6] for each active day d; the part not already covered by the previous active
-- day starts at max(d, previous + 7). Summing +1/-1 at interval ends gives rolling distinct counts in one pass.
-- The +1s are counted per start day in one pass over the user-days (two grouping sets), so the window's rows
-- stream instead of being stored and read four times; each active day ends one interval, so the -1s at d+7 and
-- d+28 are that day's DAU, which growth_accounting already holds.
starts as (
    select wau_start, mau_start, count(*) as users
    from (
        select
            greatest(period_index, coalesce(previous_index + 7, period_index)) as wau_start,
            greatest(period_index, coalesce(previous_index + 28, period_index)) as mau_start
        from days
    ) as intervals
    group by grouping sets ((wau_start), (mau_start))
),
deltas as (
    select wau_start as day_index, users as wau_delta, 0 as mau_delta from starts where wau_start is not null
    union all
    select mau_start, 0, users from starts where mau_start is not null
    union all
    select period_index + 7, -active_users, 0 from {{ ref('growth_accounting') }} where grain = 'day'
    union all
    select period_index + 28, 0, -active_users from {{ ref('growth_accounting') }} where grain = 'day'
),
changes as (
    select day_index, sum(wau_delta) as wau_delta, sum(mau_delta) as mau_delta
    from deltas
    group by day_index
),
rolling as (
    select
        g.period_index,
        sum(coalesce(c.wau_delta, 0)) over (order by g.period_index) as wau,
        sum(coalesce(c.mau_delta, 0)) over (order by g.period_index) as mau
    from {{ ref('growth_accounting') }} g
    left join changes c on c.day_index = g.period_index
    where g.grain = 'day'
)
{% endif %}
select
    g.period_start as date,
    g.active_users as dau,
    {{ cast(r.wau, bigint) }} as wau,
    {{ cast(r.mau, bigint) }} as mau,
    {{ safe_divide(g.active_users, r.mau) }} as stickiness,
    g.new_users,
    g.retained_users,
    g.resurrected_users,
    g.churned_users
from {{ ref('growth_accounting') }} g
join rolling r using (period_index)
where g.grain = 'day'
{% if is_incremental() %}and g.period_start in {{ affected() }}{% endif %}
