select
    key_id,
    name,
    role,
    tenant,
    created_at,
    last_used_at,
    (((current_timestamp)::date - (coalesce(last_used_at, created_at))::date)) as days_unused
from "raw"."raw_api_keys"
where revoked_at is null
  and (expires_at is null or expires_at > current_timestamp)
  and ((coalesce(last_used_at, created_at)) at time zone 'UTC')::date <= ((current_timestamp)::date + (-30))
