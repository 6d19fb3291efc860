/*
description: >
  One row per user: first and last active date, tenure, active days, activity rate = active_days /
  (tenure_days + 1), the longest run of consecutive active days, and a lifecycle stage by tenure:
  new (< 7 days), growing (7-29), established (30-89), mature (>= 90).
# Incremental by user: first and last day and active days are dim_users' (which merges them); the longest streak is
# the stored one or one among the user's days from 31 days before the earliest changed day on, whichever is longer.
# A streak cut off at that window's start ended before the changed days, unless the user was active on all 31 days
# before them: only such a user (and every user of a backfill) is read from all their days.
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
{% if is_incremental() %}
with
-- The changed users' days from 31 days before the earliest changed day on (one index range), in islands:
-- consecutive days share (day_index - row number).
recent as (
    select
        d.tenant_id,
        d.user_id,
        d.activity_date < b.start as before_changes,
        d.day_index - row_number() over (partition by d.user_id, d.tenant_id order by d.day_index) as island
    from {{ ref('user_activity_days') }} d
    cross join (select start, {{ date_add('day', -31, start) }} as window_start from (select {{ affected_start() }} as start) as a) as b
    where not {{ is_backfill() }} and d.activity_date >= b.window_start and d.user_id in {{ affected() }}
),
recent_streaks as (
    select tenant_id, user_id, max(days) as longest_streak_days, sum(days_before) = 31 as no_gap_before
    from (
        select tenant_id, user_id, island, count(*) as days, {{ count_if(before_changes) }} as days_before
        from recent
        group by tenant_id, user_id, island
    ) s
    group by tenant_id, user_id
),
users as (
    select
        u.tenant_id,
        u.user_id,
        {{ utc_date(u.first_event_at) }} as first_active_date,
        {{ utc_date(u.last_event_at) }} as last_active_date,
        u.active_days,
        -- A user without a stored row had no days before this build's loads: all their days are recent.
        case when not coalesce(r.no_gap_before, false) and not {{ is_backfill() }}
             then greatest(coalesce(s.longest_streak_days, 0), coalesce(r.longest_streak_days, 0)) end as longest_streak_days
    from {{ ref('dim_users') }} u
    left join recent_streaks r on r.user_id = u.user_id and r.tenant_id = u.tenant_id
    left join {{ this }} s on s.user_id = u.user_id and s.tenant_id = u.tenant_id
    where u.user_id in {{ affected() }}
),
{% else %}
with users as (
    select tenant_id, user_id, min(activity_date) as first_active_date, max(activity_date) as last_active_date, count(*) as active_days
    from {{ ref('user_activity_days') }}
    group by tenant_id, user_id
),
{% endif %}
-- Gaps and islands: consecutive days share (day_index - row number). An incremental build reads here only the
-- users active on each of the 31 days before the changes (or all of a backfill's), whose streak may reach further
-- back; the uncorrelated test is evaluated once, so with no such user the table is not read.
history as (
    select d.tenant_id, d.user_id, d.day_index - row_number() over (partition by d.user_id, d.tenant_id order by d.day_index) as island
    from {{ ref('user_activity_days') }} d
    {% if is_incremental() %}
    where exists (select 1 from users where longest_streak_days is null)
      and exists (select 1 from users u where u.longest_streak_days is null and u.user_id = d.user_id and u.tenant_id = d.tenant_id)
    {% endif %}
),
streaks as (
    {% if is_incremental() %}
    select tenant_id, user_id, longest_streak_days from users where longest_streak_days is not null
    union all
    {% endif %}
    select tenant_id, user_id, max(days) as longest_streak_days
    from (select tenant_id, user_id, island, count(*) as days from history group by tenant_id, user_id, island) s
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
