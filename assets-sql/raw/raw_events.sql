/*
description: >
  Every valid input row, typed, as loaded by `analytics ingest` (binary COPY). Rows that break an input rule
  are in raw.raw_events_rejected with their file, line, raw text and reason; raw.ingest_manifest has one row per file.
materialization: source
# Each ingested file gets a higher file_id, so the rows a load added are those above the last file_id an incremental
# asset was built from; event_time's UTC day dates a row for backfills.
load_id: file_id
partition_by: event_time
tags: [raw, ingest]
owner: data-platform
# Personal data: masked (a keyed hash) for keys without the pii permission, and not granted to the Superset role.
classification: {user_id: pii}
# The input rules of metrics.md, as data: a row breaking one is kept in raw.raw_events_rejected with the first rule it broke.
columns:
  event_time: {type: timestamp, required: true}
  user_id: {type: text, required: true}
  event_type: {type: text, required: true, accepted_values: [miles_earned, miles_redeemed, share, like, reward_search]}
  transaction_category: text
  miles_amount:
    type: numeric
    # A miles event needs an amount that is a number and not negative; on any other event the amount is informational,
    # and one that is not a number loads as null.
    when: {event_type: [miles_earned, miles_redeemed]}
    required: true
    min: 0
  platform: text
  utm_source: text
  country: text
  # Optional: a file without it loads as before, its rows of no tenant (the marts put them under 'default').
  tenant_id: {type: text, pattern: '[A-Za-z0-9._@-]{1,64}', means: "1 to 64 letters, digits, '.', '_', '-' or '@'"}
# event_id: a hash of the eight normalised input values, then the tenant when the file has the column, so exact
# duplicates share an id and files from before tenants keep theirs.
identity:
  column: event_id
  hash: [event_time, user_id, event_type, transaction_category, miles_amount, platform, utm_source, country]
  hash_when_present: [tenant_id]
# Erasure finds a person by user_id (within tenant_id).
subject: user_id
from: {files: landing, format: csv}
checks:
  - row_count: {min: 1, name: raw_events__has_rows}
*/
