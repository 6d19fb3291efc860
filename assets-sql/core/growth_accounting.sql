/*
description: >
  Social Capital growth accounting per tenant for every grain (day, week, month) over a contiguous series of
  periods from the tenant's first to its last valid event: active, new, retained, resurrected and churned users per
  period. A user is one user of one tenant; all tenants together are the sum of the tenants.
# Kept a full table because an incremental build does not pay. A change in period t re-opens t, t+1 and each changed
# user's next active period, and each affected period then needs every active user's previous period: an
# incremental build written that way (commit 8d573a8, equal to a full rebuild in the differential test) took 8.6 s
# on a one-day batch at 10 M events where this full build takes 6.8 s (2.5 s against 1.3 s at 1 M): the current
# month and week hold most users. BENCHMARKS.md, "Incremental runs".
materialization: table
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
with periods as (
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
flows as (
    select
        tenant_id,
        grain,
        period_index,
        count(*) as active_users,
        {{ count_if(previous_index is null) }} as new_users,
        {{ count_if(previous_index = period_index - 1) }} as retained_users,
        {{ count_if(previous_index < period_index - 1) }} as resurrected_users
    from periods
    group by tenant_id, grain, period_index
),
series as (
    select bounds.tenant_id, bounds.grain, period_index
    from (select tenant_id, grain, min(period_index) as first_index, max(period_index) as last_index from flows group by tenant_id, grain) bounds
    {{ join_series(period_index, bounds.first_index, bounds.last_index) }}
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
    tenant_id,
    grain,
    period_index,
    case grain
        when 'day' then {{ date_add('day', period_index, date '1970-01-01') }}
        when 'week' then {{ date_add('week', period_index, date '1970-01-05') }}
        else {{ date_add('month', period_index, date '1970-01-01') }}
    end as period_start,
    active_users,
    new_users,
    retained_users,
    resurrected_users,
    -- Churned in t: active in t-1 and not in t, that is active in t-1 less those retained into t. Counting it this
    -- way needs no lead() and no second pass over the 6 M periods (18.6 s to 5.7 s at 10 M events).
    coalesce(lag(active_users) over (partition by tenant_id, grain order by period_index), 0) - retained_users as churned_users
from accounted
