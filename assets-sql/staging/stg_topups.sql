/*
description: >
  Top-ups at their latest status, dated by the UTC day they were made (topup_date), with tenant_id 'default' where
  the app names none.
materialization: view
tags: [staging, appdb]
owner: data-platform
classification: {user_id: pii}
checks:
  - not_null: [topup_id, user_id, amount, channel, status, topup_date, tenant_id]
  - unique: [topup_id]
*/
select
    topup_id,
    user_id,
    amount,
    channel,
    status,
    created_at,
    {{ utc_date(created_at) }} as topup_date,
    coalesce(tenant_id, 'default') as tenant_id
from {{ ref('raw_topups') }}
