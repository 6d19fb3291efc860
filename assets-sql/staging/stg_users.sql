/*
description: >
  The app's users, one row each at their latest known version (tier, country), with tenant_id 'default' where the
  app names none.
materialization: view
tags: [staging, appdb]
owner: data-platform
classification: {user_id: pii}
checks:
  - not_null: [user_id, tier, signed_up_at, tenant_id]
  - unique: [tenant_id, user_id]
*/
select
    user_id,
    tier,
    country,
    signed_up_at,
    updated_at,
    coalesce(tenant_id, 'default') as tenant_id
from {{ ref('raw_users') }}
