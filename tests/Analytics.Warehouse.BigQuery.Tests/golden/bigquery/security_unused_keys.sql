select
    key_id,
    name,
    role,
    tenant,
    created_at,
    last_used_at,
    DATE_DIFF(DATE(current_timestamp), DATE(coalesce(last_used_at, created_at)), DAY) as days_unused
from `raw.raw_api_keys`
where revoked_at is null
  and (expires_at is null or expires_at > current_timestamp)
  and DATE(coalesce(last_used_at, created_at), 'UTC') <= DATE_ADD(DATE(current_timestamp), INTERVAL (-30) DAY)
