/*
description: >
  The principals' API keys (runstore.api_keys, never their secrets): name, role, tenant, when made, revoked and last
  used. Read by watermark on the latest of those times, so a key used or revoked since is read again and replaced.
materialization: source
tags: [raw, security]
owner: security
primary_key: [key_id]
columns:
  key_id: {type: text, required: true}
  name: {type: text, required: true}
  role: {type: text, required: true, accepted_values: [viewer, operator, admin]}
  tenant: text
  created_at: {type: timestamp, required: true}
  expires_at: timestamp
  revoked_at: timestamp
  last_used_at: timestamp
  changed_at: {type: timestamp, required: true}
from:
  database: runstore
  query: >-
    select key_id, name, role, tenant, created_at, expires_at, revoked_at, last_used_at,
    greatest(created_at, revoked_at, last_used_at) as changed_at from runstore.api_keys
  watermark: changed_at
  window: 30d
  lag: 1m
*/
