select
    user_id,
    tier,
    country,
    signed_up_at,
    updated_at,
    coalesce(tenant_id, 'default') as tenant_id
from `raw.raw_users`
