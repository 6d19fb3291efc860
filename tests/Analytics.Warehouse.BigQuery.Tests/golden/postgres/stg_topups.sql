select
    topup_id,
    user_id,
    amount,
    channel,
    status,
    created_at,
    ((created_at) at time zone 'UTC')::date as topup_date,
    coalesce(tenant_id, 'default') as tenant_id
from "raw"."raw_topups"
