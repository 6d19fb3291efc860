/*
description: >
  The platform's own audit log (runstore.audit_log), read like any database source: by watermark on its time, a
  minute behind the run store's clock (the API writes it in batches), each record once by its sequence number. Who
  did what to what, and how it ended; the security marts are built from it. Admin-level: it names no tenant, so only
  a reader of every tenant sees it.
materialization: source
partition_by: recorded_at
tags: [raw, security]
owner: security
primary_key: [seq]
columns:
  seq: {type: integer, required: true}
  recorded_at: {type: timestamp, required: true}
  principal: {type: text, required: true}
  action: {type: text, required: true}
  target: {type: text, max_length: 4000}
  outcome: {type: integer, required: true}
  client: text
  request_id: text
# The log's own column is 'at', a reserved word in BigQuery's SQL: it is read as recorded_at.
from:
  database: runstore
  query: >-
    select seq, at as recorded_at, principal, action, target, outcome, client, request_id from runstore.audit_log
  watermark: recorded_at
  window: 1d
  lag: 1m
*/
