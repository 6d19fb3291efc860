/*
description: >
  One row per comeback: a return after at least 7 whole inactive days. dormant_days = returned - previous - 1;
  buckets short (7-13), medium (14-29), long (30-59), very_long (>= 60).
# Incremental by user: a run rebuilds the returns of the users the new loads have events for.
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
    from {{ ref('user_activity_days') }}
    {% if is_incremental() %}where user_id in {{ affected() }}{% endif %}
) d
where activity_date - previous_active_date - 1 >= 7
