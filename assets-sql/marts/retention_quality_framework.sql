/*
description: >
  One row per user: first and last active date, tenure, active days, activity rate = active_days /
  (tenure_days + 1), the longest run of consecutive active days, and a lifecycle stage by tenure:
  new (< 7 days), growing (7-29), established (30-89), mature (>= 90).
# Incremental by user: a run rebuilds the users the new loads have events for, from all their active days.
materialization: incremental
unique_key: user_id
tags: [marts, retention]
owner: growth
# Personal data: masked (a keyed hash) for keys without the pii permission, and not granted to the Superset role.
classification: {user_id: pii}
checks:
  - not_null: [user_id, first_active_date, last_active_date, tenure_days, active_days, activity_rate, longest_streak_days, lifecycle_stage, tenant_id]
  - unique: [tenant_id, user_id]
  - accepted_values: {column: lifecycle_stage, values: [new, growing, established, mature]}
  - expression:
      name: retention_quality__streak_within_active_days
      sql: longest_streak_days between 1 and active_days and active_days <= tenure_days + 1
  - expression:
      name: retention_quality__activity_rate_in_unit_interval
      sql: activity_rate > 0 and activity_rate <= 1
*/
with islands as (
    -- Gaps and islands: consecutive days share (day_index - row number).
    select tenant_id, user_id, day_index - row_number() over (partition by user_id, tenant_id order by day_index) as island
    from {{ ref('user_activity_days') }}
    {% if is_incremental() %}where user_id in {{ affected() }}{% endif %}
),
streaks as (
    select tenant_id, user_id, max(days) as longest_streak_days
    from (select tenant_id, user_id, island, count(*) as days from islands group by tenant_id, user_id, island) s
    group by tenant_id, user_id
),
users as (
    select tenant_id, user_id, min(activity_date) as first_active_date, max(activity_date) as last_active_date, count(*) as active_days
    from {{ ref('user_activity_days') }}
    {% if is_incremental() %}where user_id in {{ affected() }}{% endif %}
    group by tenant_id, user_id
)
select
    u.user_id,
    u.first_active_date,
    u.last_active_date,
    u.last_active_date - u.first_active_date as tenure_days,
    u.active_days,
    {{ safe_divide(u.active_days, u.last_active_date - u.first_active_date + 1) }} as activity_rate,
    s.longest_streak_days,
    case
        when u.last_active_date - u.first_active_date < 7 then 'new'
        when u.last_active_date - u.first_active_date < 30 then 'growing'
        when u.last_active_date - u.first_active_date < 90 then 'established'
        else 'mature'
    end as lifecycle_stage,
    u.tenant_id
from users u
join streaks s using (tenant_id, user_id)
