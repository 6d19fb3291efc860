/*
description: >
  Requests per UTC day, principal and endpoint (the audit log's action: QueueRun, PreviewAsset, ...), with how many
  were refused and how many failed on the server's side.
tags: [marts, security]
owner: security
checks:
  - not_null: [day, principal, action, requests, refused, failed]
  - unique: [day, principal, action]
  - expression:
      name: security_access_by_endpoint__refused_within_requests
      sql: refused + failed <= requests
*/
select
    day,
    principal,
    action,
    count(*) as requests,
    {{ count_if(refused) }} as refused,
    {{ count_if(outcome >= 500) }} as failed
from {{ ref('stg_audit_log') }}
group by day, principal, action
