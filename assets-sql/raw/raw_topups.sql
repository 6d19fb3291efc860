/*
description: >
  Top-ups of miles wallets as the app's database (appdb) holds them, read every minute by watermark on updated_at
  (a pending top-up that later succeeds or fails is read again and replaced by topup_id). created_at dates a top-up.
  Loads nothing where ConnectionStrings__appdb is not set.
materialization: source
partition_by: created_at
tags: [raw, appdb]
owner: data-platform
classification: {user_id: pii}
# Top-ups older than 400 days (by created_at) are deleted hourly by the workers, and what was built from them follows.
retention: {max_age: 400d}
primary_key: [topup_id]
columns:
  topup_id: {type: integer, required: true}
  user_id: {type: text, required: true}
  amount: {type: numeric, required: true, min: 0}
  channel: {type: text, required: true, accepted_values: [card, bank_transfer, ewallet, convenience_store]}
  status: {type: text, required: true, accepted_values: [pending, succeeded, failed]}
  created_at: {type: timestamp, required: true}
  updated_at: {type: timestamp, required: true}
  tenant_id: {type: text, pattern: '[A-Za-z0-9._@-]{1,64}', means: "1 to 64 letters, digits, '.', '_', '-' or '@'"}
from: {database: appdb, table: public.topups, watermark: updated_at, window: 1d, lag: 30s}
*/
