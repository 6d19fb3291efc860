/*
description: >
  Valid events with exact duplicates removed (all eight input columns, and the tenant, equal after trimming and normalising; the
  first copy in ingestion order is kept), plus the UTC event_date. Duplicates share an event_id, computed at
  ingest from the eight normalised values (the time among them, so also the day): de-duplication is one sort on the
  day and the 16-byte key, which is also the table's partition order and its index's.
  Incremental: each run reads only the rows loaded since the last and inserts those whose event_id is new, so an
  exact duplicate of an event loaded earlier is dropped and the first copy in ingestion order stays (a later load
  always has a higher file_id). Duplicates share their event_time, so the probe for an earlier copy looks only in
  the same event_date. tenant_id is the row's tenant, 'default' when its file named none.
materialization: incremental
incremental_strategy: insert_new
unique_key: event_id
partition_by: event_date
lookback: 3 days
tags: [staging]
owner: data-platform
# Personal data: masked (a keyed hash) for keys without the pii permission, and not granted to the Superset role.
classification: {user_id: pii}
checks:
  - not_null: [event_id, event_time, event_date, user_id, event_type, tenant_id]
  - accepted_values: {column: event_type, values: [miles_earned, miles_redeemed, share, like, reward_search]}
  - expression:
      name: stg_events__miles_present_for_miles_events
      sql: "event_type not in ('miles_earned', 'miles_redeemed') or miles_amount >= 0"
  # Exact duplicates share their event_time, so also their event_date: keyed on both, an incremental run checks
  # only the days it wrote.
  - unique:
      name: stg_events__no_exact_duplicates
      columns: [event_date, event_id]
*/
select {{ distinct_on('event_date, event_id') }}
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
    coalesce(tenant_id, 'default') as tenant_id,
    file_id,
    line_number
-- De-duplicated within each day (duplicates share their event_time): the one sort that finds the first copy also
-- leaves the table in partition order, so its build needs no second sort of every row by date.
from (select *, {{ utc_date(event_time) }} as event_date from {{ changed('raw_events') }} as loaded) as raw_events
{{ keep_first('event_date, event_id', 'file_id, line_number') }}
