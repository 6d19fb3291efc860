/*
description: >
  Refused requests (401 unauthenticated, 403 forbidden) per UTC day, hour and principal ('anonymous' for a request
  without a key), from the audit log. A burst here is what the refused_burst alert watches.
tags: [marts, security]
owner: security
checks:
  - not_null: [day, hour, principal, refused, unauthenticated, forbidden]
  - unique: [day, hour, principal]
  - expression:
      name: security_refused_by_hour__parts_add_up
      sql: refused = unauthenticated + forbidden
*/
select
    day,
    hour,
    principal,
    count(*) as refused,
    {{ count_if(outcome = 401) }} as unauthenticated,
    {{ count_if(outcome = 403) }} as forbidden
from {{ ref('stg_audit_log') }}
where refused
group by day, hour, principal
