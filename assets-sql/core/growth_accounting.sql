/*
description: >
  Social Capital growth accounting per tenant for every grain (day, week, month) over a contiguous series of
  periods from the tenant's first to its last valid event: active, new, retained, resurrected and churned users per
  period. A user is one user of one tenant; all tenants together are the sum of the tenants.
# Incremental by period start, every grain in one column: a change on day d re-opens d, its week and its month,
# and (affects_later) every period after them, since each period compares its users with the one before. Each
# grain rebuilds from its period holding the earliest changed day, reading user_activity_days (day) and
# user_activity_periods (week, month) from the period before it by index range (so lag() sees who was active
# there); a user's first rebuilt period without one before it in range is new or resurrected by their first event
# (dim_users), and the rows of the re-opened dates a grain does not rebuild are kept. An earlier version rebuilt
# only the affected periods and each one's next (commit 8d573a8) and cost more than this table's full build; see
# BENCHMARKS.md, "Incremental runs".
materialization: incremental
partition_by: period_start
affects_later: true
lookback: 62 days
affected: |
  with days as (select distinct {{ utc_date(event_time) }} as d from {{ changed('raw_events') }} as changed_rows)
  select d from days
  union all
  select {{ date_trunc('week', d) }} from days
  union all
  select {{ date_trunc('month', d) }} from days
tags: [core, intermediate, growth]
owner: growth
checks:
  - not_null: [tenant_id, grain, period_index, period_start, active_users, new_users, retained_users, resurrected_users, churned_users]
  - unique: [tenant_id, grain, period_index]
  - expression:
      name: growth_accounting__active_is_new_retained_resurrected
      sql: active_users = new_users + retained_users + resurrected_users
  - query:
      name: growth_accounting__previous_active_is_retained_churned
      sql: >
        select * from (
          select tenant_id, grain, period_start, retained_users, churned_users,
                 lag(active_users) over (partition by tenant_id, grain order by period_index) as previous_active,
                 lag(period_index) over (partition by tenant_id, grain order by period_index) as previous_index,
                 period_index
          from {{ this }}) p
        where previous_active is not null
          and (previous_active <> retained_users + churned_users or previous_index <> period_index - 1)
*/
{% if is_incremental() %}
-- d0 is the earliest changed day (on a backfill, the range's start); each grain rebuilds its periods from the one
-- holding d0, and the rows between the earliest affected partition and those (a grain's earlier periods, which
-- share period_start dates with the rebuilt ones) are kept as they were.
with starts as (
    select
        {{ affected_start() }} as t0,
        coalesce(case when {{ is_backfill() }} then null else (select min({{ utc_date(event_time) }}) from {{ changed('raw_events') }} as c) end,
                 {{ affected_start() }}) as d0
),
bounds as (
    select
        t0, d0, w0, m0,
        {{ date_diff('day', date '1970-01-01', d0) }} as d_index,
        {{ date_diff('week', date '1970-01-05', w0) }} as w_index,
        {{ date_diff('month', date '1970-01-01', m0) }} as m_index
    from (select t0, d0, {{ date_trunc('week', d0) }} as w0, {{ date_trunc('month', d0) }} as m0 from starts) as s
),
-- Each grain's periods from the one before the one holding d0, by index range (one range per grain: an OR of them
-- would scan). The period before is read only so that lag() finds who was active in it.
recent as (
    select u.tenant_id, 'day' as grain, u.user_id, u.day_index as period_index
    from {{ ref('user_activity_days') }} u
    cross join bounds b
    where u.activity_date >= {{ date_add('day', -1, b.d0) }}
    union all
    select p.tenant_id, p.grain, p.user_id, p.period_index
    from {{ ref('user_activity_periods') }} p
    cross join bounds b
    where p.period_start >= {{ date_add('day', -7, b.w0) }} and p.grain = 'week'
    union all
    select p.tenant_id, p.grain, p.user_id, p.period_index
    from {{ ref('user_activity_periods') }} p
    cross join bounds b
    where p.period_start >= {{ date_add('month', -1, b.m0) }} and p.grain = 'month'
),
sequenced as (
    select
        s.tenant_id, s.grain, s.user_id, s.period_index, s.previous_in_range,
        case s.grain when 'day' then b.d0 when 'week' then b.w0 else b.m0 end as grain_start
    from (
        select
            tenant_id, grain, user_id, period_index,
            lag(period_index) over (partition by user_id, tenant_id, grain order by period_index) as previous_in_range
        from recent
    ) s
    cross join bounds b
    where s.period_index >= case s.grain when 'day' then b.d_index when 'week' then b.w_index else b.m_index end
),
-- A rebuilt period with no active one before it in range (the period before the grain's first rebuilt one
-- included): resurrected when the user's first event (dim_users) is before the grain's start, new when it is not.
-- Only that distinction counts, so an earlier period stands for any before the last.
rebuilt as (
    select tenant_id, grain, period_index, previous_in_range as previous_index from sequenced where previous_in_range is not null
    union all
    select s.tenant_id, s.grain, s.period_index, case when {{ utc_date(u.first_event_at) }} < s.grain_start then s.period_index - 2 end
    from sequenced s
    join {{ ref('dim_users') }} u on u.user_id = s.user_id and u.tenant_id = s.tenant_id
    where s.previous_in_range is null
),
-- Each tenant's and grain's last period before the grain's rebuilt ones, which the rebuilt series continues.
before as (
    select tenant_id, grain, period_index, active_users
    from (
        select
            g.tenant_id, g.grain, g.period_index, g.active_users,
            row_number() over (partition by g.tenant_id, g.grain order by g.period_index desc) as n
        from {{ this }} g
        cross join bounds b
        where g.period_start < case g.grain when 'day' then b.d0 when 'week' then b.w0 else b.m0 end
    ) latest
    where n = 1
),
{% else %}
with rebuilt as (
    select
        tenant_id,
        grain,
        period_index,
        -- user_id leads the partition key: sorting on the 3-valued grain first defeats PostgreSQL's abbreviated keys (3x slower).
        lag(period_index) over (partition by user_id, tenant_id, grain order by period_index) as previous_index
    from (
        select tenant_id, 'day' as grain, user_id, day_index as period_index from {{ ref('user_activity_days') }}
        union all
        select tenant_id, grain, user_id, period_index from {{ ref('user_activity_periods') }}
    ) all_grains
),
{% endif %}
flows as (
    select
        tenant_id,
        grain,
        period_index,
        count(*) as active_users,
        {{ count_if(previous_index is null) }} as new_users,
        {{ count_if(previous_index = period_index - 1) }} as retained_users,
        {{ count_if(previous_index < period_index - 1) }} as resurrected_users
    from rebuilt
    group by tenant_id, grain, period_index
),
{% if not is_incremental() %}
before as (
    select tenant_id, grain, period_index, active_users from flows where 1 = 0
),
{% endif %}
-- Contiguous from each tenant's first period (or the one after its last before t0) to its last.
series as (
    select spans.tenant_id, spans.grain, period_index
    from (
        select f.tenant_id, f.grain, coalesce(max(b.period_index) + 1, min(f.period_index)) as first_index, max(f.period_index) as last_index
        from flows f
        left join before b on b.tenant_id = f.tenant_id and b.grain = f.grain
        group by f.tenant_id, f.grain
    ) spans
    {{ join_series(period_index, spans.first_index, spans.last_index) }}
),
accounted as (
    select
        s.tenant_id,
        s.grain,
        s.period_index,
        coalesce(f.active_users, 0) as active_users,
        coalesce(f.new_users, 0) as new_users,
        coalesce(f.retained_users, 0) as retained_users,
        coalesce(f.resurrected_users, 0) as resurrected_users
    from series s
    left join flows f using (tenant_id, grain, period_index)
)
select
    a.tenant_id,
    a.grain,
    a.period_index,
    case a.grain
        when 'day' then {{ date_add('day', a.period_index, date '1970-01-01') }}
        when 'week' then {{ date_add('week', a.period_index, date '1970-01-05') }}
        else {{ date_add('month', a.period_index, date '1970-01-01') }}
    end as period_start,
    a.active_users,
    a.new_users,
    a.retained_users,
    a.resurrected_users,
    -- Churned in t: active in t-1 and not in t, that is active in t-1 less those retained into t. Counting it this
    -- way needs no lead() and no second pass over the 6 M periods (18.6 s to 5.7 s at 10 M events).
    coalesce(lag(a.active_users) over (partition by a.tenant_id, a.grain order by a.period_index), b.active_users, 0) - a.retained_users as churned_users
from accounted a
left join before b on b.tenant_id = a.tenant_id and b.grain = a.grain and b.period_index = a.period_index - 1
{% if is_incremental() %}
union all
select g.tenant_id, g.grain, g.period_index, g.period_start, g.active_users, g.new_users, g.retained_users, g.resurrected_users, g.churned_users
from {{ this }} g
cross join bounds b
where g.period_start >= b.t0 and g.period_start < case g.grain when 'day' then b.d0 when 'week' then b.w0 else b.m0 end
{% endif %}
