/*
description: >
  Social Capital growth accounting per tenant for every grain (day, week, month) over a contiguous series of
  periods from the tenant's first to its last valid event: active, new, retained, resurrected and churned users per
  period. A user is one user of one tenant; all tenants together are the sum of the tenants.
# Incremental by period start, every grain in one column: a change on day d re-opens d, its week and its month,
# and (affects_later) every period after them, since each period compares its users with the one before. The
# rebuild starts at t0, the Monday on or before the first of the earliest changed day's month, so every grain's
# periods from t0 on are whole; each user's previous active period before t0 is one index probe of
# user_activity_days. An earlier version rebuilt only the affected periods and each one's next (commit 8d573a8)
# and cost more than this table's full build; see BENCHMARKS.md, "Incremental runs".
materialization: incremental
partition_by: period_start
affects_later: true
lookback: 62 days
affected: |
  select d from (select distinct {{ utc_date(event_time) }} as d from {{ changed('raw_events') }} as changed_rows) as days
  union all
  select {{ date_trunc('week', m) }}
  from (select distinct {{ date_trunc('month', d) }} as m
        from (select distinct {{ utc_date(event_time) }} as d from {{ changed('raw_events') }} as changed_rows) as days) as months
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
with bounds as (
    select {{ date_trunc('week', m) }} as t0
    from (select {{ date_trunc('month', s) }} as m from (select {{ affected_start() }} as s) as affected) as affected_month
),
recent_days as (
    select u.tenant_id, u.user_id, u.activity_date
    from {{ ref('user_activity_days') }} u
    cross join bounds
    where u.activity_date >= bounds.t0
),
-- Each rebuilt user's days from the last one before t0 on: every grain's previous period is then among them.
user_days as (
    select tenant_id, user_id, activity_date from recent_days
    union all
    select tenant_id, user_id, last_before
    from (
        select
            r.tenant_id,
            r.user_id,
            (select max(p.activity_date) from {{ ref('user_activity_days') }} p
             where p.user_id = r.user_id and p.tenant_id = r.tenant_id and p.activity_date < b.t0) as last_before
        from (select distinct tenant_id, user_id from recent_days) r
        cross join bounds b
    ) probed
    where last_before is not null
),
periods as (
    select
        tenant_id,
        grain,
        period_index,
        period_start,
        lag(period_index) over (partition by user_id, tenant_id, grain order by period_index) as previous_index
    from (
        select tenant_id, 'day' as grain, user_id, {{ date_diff('day', date '1970-01-01', activity_date) }} as period_index, activity_date as period_start
        from user_days
        union all
        select tenant_id, 'week', user_id, {{ date_diff('week', date '1970-01-05', week_start) }}, week_start
        from (select distinct tenant_id, user_id, {{ date_trunc('week', activity_date) }} as week_start from user_days) weeks
        union all
        select tenant_id, 'month', user_id, {{ date_diff('month', date '1970-01-01', month_start) }}, month_start
        from (select distinct tenant_id, user_id, {{ date_trunc('month', activity_date) }} as month_start from user_days) months
    ) all_grains
),
rebuilt as (
    select p.tenant_id, p.grain, p.period_index, p.previous_index
    from periods p
    cross join bounds
    where p.period_start >= bounds.t0
),
-- Each tenant's and grain's last period before t0, which the rebuilt series continues.
before as (
    select tenant_id, grain, period_index, active_users
    from (
        select
            g.tenant_id, g.grain, g.period_index, g.active_users,
            row_number() over (partition by g.tenant_id, g.grain order by g.period_index desc) as n
        from {{ this }} g
        cross join bounds
        where g.period_start < bounds.t0
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
