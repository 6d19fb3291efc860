/*
description: >
  One row per stg_events row with its stable event_id: a 128-bit MurmurHash3 of the eight normalised input
  values, computed at ingest, so the same input gets the same id in every run whatever order files arrive in; and
  membership_tier, the user's tier at the event's time from snap_users ('unknown' where the snapshot has no version
  of the user then), so every event stays in every mart.
# Incremental by day: a run replaces the days the new loads touch (late events re-open exactly their days), and the
# days from the earliest version snap_users opened or closed since (an event there may now join another version).
# BigQuery: a day partition per event_date and storage sorted by tenant then user, so date-bounded, per-tenant and
# per-user reads scan little.
materialization: incremental
partition_by: event_date
lookback: 3 days
cluster_by: [tenant_id, user_id]
tags: [core]
owner: data-platform
# Personal data: masked (a keyed hash) for keys without the pii permission, and not granted to the Superset role.
classification: {user_id: pii}
checks:
  # Keys and values are checked on stg_events, of which this is a projection; here what the projection adds.
  - not_null: [event_id, user_id, tenant_id, membership_tier]
  - relationships: {column: user_id, to: dim_users, field: user_id}
  - row_count: {min: 1}
*/
select
    e.event_id,
    e.event_time,
    e.event_date,
    e.user_id,
    e.event_type,
    e.transaction_category,
    e.miles_amount,
    e.platform,
    e.utm_source,
    e.country,
    e.tenant_id,
    coalesce(u.tier, 'unknown') as membership_tier,
    e.file_id,
    e.line_number
from {{ ref('stg_events') }} as e
left join {{ ref('snap_users') }} as u
    on u.tenant_id = e.tenant_id and u.user_id = e.user_id and {{ valid_at(u, e.event_time) }}
{% if is_incremental() %}where e.event_date in {{ affected() }}{% endif %}
