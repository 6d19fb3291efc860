/*
description: >
  One row per stg_events row with a stable event_id: a hash of the eight normalised input columns, so the same
  input gets the same id in every run whatever order files arrive in.
materialization: table
tags: [core]
owner: data-platform
checks:
  - not_null: [event_id, event_time, event_date, user_id, event_type]
  - unique: event_id
  - relationships: {column: user_id, to: dim_users, field: user_id}
  - row_count: {min: 1}
*/
select
    md5(concat_ws(chr(31),
        to_char(event_time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
        user_id,
        event_type,
        coalesce(transaction_category, chr(30)),
        coalesce(trim_scale(miles_amount)::text, chr(30)),
        coalesce(platform, chr(30)),
        coalesce(utm_source, chr(30)),
        coalesce(country, chr(30))))::uuid as event_id,
    event_time,
    event_date,
    user_id,
    event_type,
    transaction_category,
    miles_amount,
    platform,
    utm_source,
    country,
    file_id,
    line_number
from {{ ref('stg_events') }}
