/*
description: >
  Valid events with exact duplicates removed (all eight input columns equal after trimming and normalising; the
  first copy in ingestion order is kept), plus the UTC event_date. Duplicates share an event_id, computed at
  ingest from the eight normalised values, so de-duplication (and its check) is one sort on a 16-byte key.
materialization: table
tags: [staging]
owner: data-platform
checks:
  - not_null: [event_id, event_time, event_date, user_id, event_type]
  - accepted_values: {column: event_type, values: [miles_earned, miles_redeemed, share, like, reward_search]}
  - expression:
      name: stg_events__miles_present_for_miles_events
      sql: "event_type not in ('miles_earned', 'miles_redeemed') or miles_amount >= 0"
  - unique:
      name: stg_events__no_exact_duplicates
      columns: event_id
*/
select {{ distinct_on(event_id) }}
    event_id,
    event_time,
    {{ utc_date(event_time) }} as event_date,
    user_id,
    event_type,
    transaction_category,
    miles_amount,
    platform,
    utm_source,
    country,
    file_id,
    line_number
from {{ ref('raw_events') }}
{{ keep_first(event_id, 'file_id, line_number') }}
