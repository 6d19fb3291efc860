/*
description: >
  Live API keys (not revoked, not expired) unused for 30 days or more at the time of the build: never used since they
  were made, or last used 30 days ago or earlier. Candidates to revoke.
tags: [marts, security]
owner: security
checks:
  - not_null: [key_id, name, role, created_at, days_unused]
  - unique: [key_id]
  - expression:
      name: security_unused_keys__thirty_days_or_more
      sql: days_unused >= 30
*/
select
    key_id,
    name,
    role,
    tenant,
    created_at,
    last_used_at,
    {{ date_diff('day', coalesce(last_used_at, created_at), current_timestamp) }} as days_unused
from {{ ref('raw_api_keys') }}
where revoked_at is null
  and (expires_at is null or expires_at > current_timestamp)
  and {{ utc_date(coalesce(last_used_at, created_at)) }} <= {{ date_add('day', -30, current_timestamp) }}
