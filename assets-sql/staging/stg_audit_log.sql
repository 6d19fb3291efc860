/*
description: >
  Audit records with their UTC day and hour, and whether the request was refused (401 or 403).
materialization: view
tags: [staging, security]
owner: security
checks:
  - not_null: [seq, recorded_at, day, hour, principal, action, outcome]
  - unique: [seq]
*/
select
    seq,
    recorded_at,
    {{ utc_date(recorded_at) }} as day,
    extract(hour from recorded_at) as hour,
    principal,
    action,
    target,
    outcome,
    outcome in (401, 403) as refused
from {{ ref('raw_audit_log') }}
