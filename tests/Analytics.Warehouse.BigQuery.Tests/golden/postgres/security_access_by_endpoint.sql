select
    day,
    principal,
    action,
    count(*) as requests,
    count(*) filter (where refused) as refused,
    count(*) filter (where outcome >= 500) as failed
from "staging"."stg_audit_log"
group by day, principal, action
