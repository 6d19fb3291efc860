/*
description: >
  One row per tenant and day from the tenant's first to its last valid event: DAU, WAU (distinct users active in
  [date-6, date]), MAU ([date-27, date]), stickiness = dau / mau, and day-grain growth accounting. All tenants
  together are the sum of the tenants' rows.
# Incremental by day: a change on day d moves DAU and the accounting on d, WAU and MAU on the 28 days from d,
# and each changed user's next active day, so (affects_later) every day from d on is rebuilt. WAU and MAU on
# those days only need the user-days from 27 days before d: an interval that starts earlier ends before d. An
# earlier version counted only the affected days' windows (commit 92a5fd2) and cost more than the full build.
materialization: incremental
partition_by: date
affects_later: true
lookback: 62 days
affected: |
  select distinct {{ utc_date(event_time) }} from {{ changed('raw_events') }} as changed_rows
tags: [marts, growth]
owner: growth
freshness: {max_age: 30m}
checks:
  - not_null: [date, dau, wau, mau, new_users, retained_users, resurrected_users, churned_users, tenant_id]
  - unique: [tenant_id, date]
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
        select * from (select tenant_id, date, retained_users, churned_users, lag(dau) over (partition by tenant_id order by date) as previous_dau
                       from {{ this }}) d
        where previous_dau <> retained_users + churned_users
*/
with
{% if is_incremental() %}
bounds as (
    select start as t0, {{ date_add('day', -27, start) }} as window_start from (select {{ affected_start() }} as start) as affected
),
{% endif %}
days as (
    select
        tenant_id,
        day_index as period_index,
        lag(day_index) over (partition by user_id, tenant_id order by day_index) as previous_index
    from {{ ref('user_activity_days') }}
    {% if is_incremental() %}where activity_date >= (select window_start from bounds){% endif %}
),
-- A user counts in WAU on [d, d+6] for each active day d; the part not already covered by the previous active
-- day starts at max(d, previous + 7). Summing +1/-1 at interval ends gives rolling distinct counts in one pass.
-- The +1s are counted per start day in one pass over the user-days (two grouping sets), so the window's rows
-- stream instead of being stored and read four times; each active day ends one interval, so the -1s at d+7 and
-- d+28 are that day's DAU, which growth_accounting already holds.
starts as (
    select tenant_id, wau_start, mau_start, count(*) as users
    from (
        select
            tenant_id,
            greatest(period_index, coalesce(previous_index + 7, period_index)) as wau_start,
            greatest(period_index, coalesce(previous_index + 28, period_index)) as mau_start
        from days
    ) as intervals
    group by grouping sets ((tenant_id, wau_start), (tenant_id, mau_start))
),
deltas as (
    select tenant_id, wau_start as day_index, users as wau_delta, 0 as mau_delta from starts where wau_start is not null
    union all
    select tenant_id, mau_start, 0, users from starts where mau_start is not null
    union all
    select tenant_id, period_index + 7, -active_users, 0 from {{ ref('growth_accounting') }} where grain = 'day'{% if is_incremental() %} and period_start >= (select window_start from bounds){% endif %}
    union all
    select tenant_id, period_index + 28, 0, -active_users from {{ ref('growth_accounting') }} where grain = 'day'{% if is_incremental() %} and period_start >= (select window_start from bounds){% endif %}
),
changes as (
    select tenant_id, day_index, sum(wau_delta) as wau_delta, sum(mau_delta) as mau_delta
    from deltas
    group by tenant_id, day_index
),
rolling as (
    select
        g.tenant_id,
        g.period_index,
        sum(coalesce(c.wau_delta, 0)) over (partition by g.tenant_id order by g.period_index) as wau,
        sum(coalesce(c.mau_delta, 0)) over (partition by g.tenant_id order by g.period_index) as mau
    from {{ ref('growth_accounting') }} g
    left join changes c on c.tenant_id = g.tenant_id and c.day_index = g.period_index
    where g.grain = 'day'{% if is_incremental() %} and g.period_start >= (select window_start from bounds){% endif %}
)
select
    g.period_start as date,
    g.active_users as dau,
    {{ cast(r.wau, bigint) }} as wau,
    {{ cast(r.mau, bigint) }} as mau,
    {{ safe_divide(g.active_users, r.mau) }} as stickiness,
    g.new_users,
    g.retained_users,
    g.resurrected_users,
    g.churned_users,
    g.tenant_id
from {{ ref('growth_accounting') }} g
join rolling r using (tenant_id, period_index)
where g.grain = 'day'{% if is_incremental() %} and g.period_start >= (select t0 from bounds){% endif %}
