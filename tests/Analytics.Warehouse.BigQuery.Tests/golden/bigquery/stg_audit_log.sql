select
    seq,
    recorded_at,
    DATE(recorded_at, 'UTC') as day,
    extract(hour from recorded_at) as hour,
    principal,
    action,
    target,
    outcome,
    outcome in (401, 403) as refused
from `raw.raw_audit_log`
