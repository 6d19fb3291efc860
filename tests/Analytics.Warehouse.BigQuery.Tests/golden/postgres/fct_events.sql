select
    event_id,
    event_time,
    event_date,
    user_id,
    event_type,
    transaction_category,
    miles_amount,
    platform,
    utm_source,
    country,
    tenant_id,
    file_id,
    line_number
from "staging"."stg_events"
