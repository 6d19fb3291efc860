/*
description: >
  The rewards app's users as its own database (appdb) holds them, read every minute by watermark on updated_at: each
  extraction reads the rows changed since the last, up to 30 seconds behind appdb's clock, and a user read again
  replaces their earlier row. Loads nothing where ConnectionStrings__appdb is not set.
materialization: source
tags: [raw, appdb]
owner: data-platform
classification: {user_id: pii}
primary_key: [user_id]
columns:
  user_id: {type: text, required: true}
  tier: {type: text, required: true, accepted_values: [basic, silver, gold, platinum]}
  country: text
  signed_up_at: {type: timestamp, required: true}
  updated_at: {type: timestamp, required: true}
  tenant_id: {type: text, pattern: '[A-Za-z0-9._@-]{1,64}', means: "1 to 64 letters, digits, '.', '_', '-' or '@'"}
from: {database: appdb, table: public.users, watermark: updated_at, window: 1d, lag: 30s}
*/
