select
    day,
    principal,
    action,
    count(*) as requests,
    COUNTIF(refused) as refused,
    COUNTIF(outcome >= 500) as failed
from `staging.stg_audit_log`
group by day, principal, action
