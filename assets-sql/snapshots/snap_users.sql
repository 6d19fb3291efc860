/*
description: >
  The history of every app user's membership (tier) and country, one row per version: a version opens when appdb's
  updated_at for the user moves on, and the one before closes then (valid_from, valid_to; is_current on the latest).
  A user gone from the app's database (hard delete) gets a version marked is_deleted. History cannot be recomputed
  from today's users, so a full refresh never rebuilds it; see the README's "Snapshots".
materialization: snapshot
unique_key: [tenant_id, user_id]
strategy: timestamp
updated_at: updated_at
hard_deletes: new_record
tags: [snapshots, appdb]
owner: data-platform
classification: {user_id: pii}
checks:
  - not_null: [tenant_id, user_id, tier, valid_from]
  - accepted_values: {column: tier, values: [basic, silver, gold, platinum]}
*/
select
    tenant_id,
    user_id,
    tier,
    country,
    signed_up_at,
    updated_at
from {{ ref('stg_users') }}
