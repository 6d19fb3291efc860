select
    tenant_id,
    user_id,
    tier,
    country,
    signed_up_at,
    updated_at
from `staging.stg_users`
