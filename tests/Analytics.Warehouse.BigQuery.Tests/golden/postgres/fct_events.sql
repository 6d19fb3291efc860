select
    e.event_id,
    e.event_time,
    e.event_date,
    e.user_id,
    e.event_type,
    e.transaction_category,
    e.miles_amount,
    e.platform,
    e.utm_source,
    e.country,
    e.tenant_id,
    coalesce(u.tier, 'unknown') as membership_tier,
    e.file_id,
    e.line_number
from "staging"."stg_events" as e
left join "snapshots"."snap_users" as u
    on u.tenant_id = e.tenant_id and u.user_id = e.user_id and (u.valid_from <= e.event_time and (u.valid_to is null or e.event_time < u.valid_to) and not u.is_deleted)
