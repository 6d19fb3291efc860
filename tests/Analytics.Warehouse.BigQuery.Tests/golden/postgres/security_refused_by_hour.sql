select
    day,
    hour,
    principal,
    count(*) as refused,
    count(*) filter (where outcome = 401) as unauthenticated,
    count(*) filter (where outcome = 403) as forbidden
from "staging"."stg_audit_log"
where refused
group by day, hour, principal
