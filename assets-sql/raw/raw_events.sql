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
checks:
  - row_count: {min: 1, name: raw_events__has_rows}
*/
