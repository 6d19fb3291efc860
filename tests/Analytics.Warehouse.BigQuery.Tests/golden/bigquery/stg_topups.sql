select
    topup_id,
    user_id,
    amount,
    channel,
    status,
    created_at,
    DATE(created_at, 'UTC') as topup_date,
    coalesce(tenant_id, 'default') as tenant_id
from `raw.raw_topups`
