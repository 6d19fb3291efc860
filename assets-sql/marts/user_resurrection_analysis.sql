/*
description: >
  One row per comeback: a return after at least 7 whole inactive days. dormant_days = returned - previous - 1;
  buckets short (7-13), medium (14-29), long (30-59), very_long (>= 60).
# Incremental by user, from the earliest changed day on: a return before that day depends only on days before it,
# so a changed user's stored returns dated before it stand; the returns from it on are found among the user's days
# from it on and their last active day before it (one index probe). A backfill recomputes its users from all
# their days.
materialization: incremental
unique_key: user_id
tags: [marts, retention]
owner: growth
# Personal data: masked (a keyed hash) for keys without the pii permission, and not granted to the Superset role.
classification: {user_id: pii}
checks:
  - not_null: [user_id, previous_active_date, returned_date, dormant_days, dormancy_bucket, tenant_id]
  - unique: [tenant_id, user_id, returned_date]
  - accepted_values: {column: dormancy_bucket, values: [short, medium, long, very_long]}
  - expression:
      name: user_resurrection__dormancy_consistent
      sql: dormant_days >= 7 and dormant_days = returned_date - previous_active_date - 1
*/
{% if is_incremental() %}
with
recent as (
    select tenant_id, user_id, activity_date
    from {{ ref('user_activity_days') }}
    where user_id in {{ affected() }} and ({{ is_backfill() }} or activity_date >= {{ affected_start() }})
),
before as (
    select
        f.tenant_id,
        f.user_id,
        (select max(d.activity_date) from {{ ref('user_activity_days') }} d
         where d.user_id = f.user_id and d.tenant_id = f.tenant_id and d.activity_date < {{ affected_start() }}) as activity_date
    from (select distinct tenant_id, user_id from recent) f
    where not {{ is_backfill() }}
),
days as (
    select tenant_id, user_id, activity_date from recent
    union all
    select tenant_id, user_id, activity_date from before where activity_date is not null
)
{% else %}
with days as (
    select tenant_id, user_id, activity_date from {{ ref('user_activity_days') }}
)
{% endif %}
select
    user_id,
    previous_active_date,
    activity_date as returned_date,
    activity_date - previous_active_date - 1 as dormant_days,
    case
        when activity_date - previous_active_date - 1 < 14 then 'short'
        when activity_date - previous_active_date - 1 < 30 then 'medium'
        when activity_date - previous_active_date - 1 < 60 then 'long'
        else 'very_long'
    end as dormancy_bucket,
    tenant_id
from (
    select tenant_id, user_id, activity_date, lag(activity_date) over (partition by user_id, tenant_id order by activity_date) as previous_active_date
    from days
) d
where activity_date - previous_active_date - 1 >= 7
{% if is_incremental() %}
union all
select user_id, previous_active_date, returned_date, dormant_days, dormancy_bucket, tenant_id
from {{ this }}
where not {{ is_backfill() }} and user_id in {{ affected() }} and returned_date < {{ affected_start() }}
{% endif %}
