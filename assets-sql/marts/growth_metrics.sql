/*
description: >
  One row per day from the first to the last valid event: DAU, WAU (distinct users active in [date-6, date]),
  MAU ([date-27, date]), stickiness = dau / mau, and day-grain growth accounting.
materialization: table
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
with days as (
    select
        day_index as period_index,
        lag(day_index) over (partition by user_id order by day_index) as previous_index
    from {{ ref('user_activity_days') }}
),
-- A user counts in WAU on [d, d+6] for each active day d; the part not already covered by the previous active
-- day starts at max(d, previous + 7). Summing +1/-1 at interval ends gives rolling distinct counts in one pass.
deltas as (
    select greatest(period_index, coalesce(previous_index + 7, period_index)) as day_index, 1 as wau_delta, 0 as mau_delta from days
    union all
    select period_index + 7, -1, 0 from days
    union all
    select greatest(period_index, coalesce(previous_index + 28, period_index)), 0, 1 from days
    union all
    select period_index + 28, 0, -1 from days
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
select
    g.period_start as date,
    g.active_users as dau,
    r.wau::bigint as wau,
    r.mau::bigint as mau,
    {{ safe_divide(g.active_users, r.mau) }} as stickiness,
    g.new_users,
    g.retained_users,
    g.resurrected_users,
    g.churned_users
from {{ ref('growth_accounting') }} g
join rolling r using (period_index)
where g.grain = 'day'
