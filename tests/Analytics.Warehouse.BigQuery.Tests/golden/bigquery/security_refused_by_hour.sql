select
    day,
    hour,
    principal,
    count(*) as refused,
    COUNTIF(outcome = 401) as unauthenticated,
    COUNTIF(outcome = 403) as forbidden
from `staging.stg_audit_log`
where refused
group by day, hour, principal
