select
    seq,
    at,
    DATE(at, 'UTC') as day,
    extract(hour from at) as hour,
    principal,
    action,
    target,
    outcome,
    outcome in (401, 403) as refused
from `raw.raw_audit_log`
