/*
description: >
  One row per stg_events row with its stable event_id: a 128-bit MurmurHash3 of the eight normalised input
  values, computed at ingest, so the same input gets the same id in every run whatever order files arrive in.
# Incremental by day: a run replaces the days the new loads touch (late events re-open exactly their days).
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
  - not_null: [event_id, user_id, tenant_id]
  - relationships: {column: user_id, to: dim_users, field: user_id}
  - row_count: {min: 1}
*/
select
    event_id,
    event_time,
    event_date,
    user_id,
    event_type,
    transaction_category,
    miles_amount,
    platform,
    utm_source,
    country,
    tenant_id,
    file_id,
    line_number
from {{ ref('stg_events') }}
{% if is_incremental() %}where event_date in {{ affected() }}{% endif %}
