/*
description: >
  Every valid input row, typed, as loaded by `analytics ingest` (binary COPY). Rows that break an input rule
  are in raw.raw_events_rejected with their file, line, raw text and reason; raw.ingest_manifest has one row per file.
materialization: source
tags: [raw, ingest]
owner: data-platform
checks:
  - row_count: {min: 1, name: raw_events__has_rows}
*/
