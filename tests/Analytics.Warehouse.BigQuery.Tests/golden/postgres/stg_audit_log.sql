select
    seq,
    recorded_at,
    ((recorded_at) at time zone 'UTC')::date as day,
    extract(hour from recorded_at) as hour,
    principal,
    action,
    target,
    outcome,
    outcome in (401, 403) as refused
from "raw"."raw_audit_log"
