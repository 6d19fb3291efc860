select distinct on (event_id)
    event_id,
    event_time,
    ((event_time) at time zone 'UTC')::date as event_date,
    user_id,
    event_type,
    transaction_category,
    miles_amount,
    platform,
    utm_source,
    country,
    coalesce(tenant_id, 'default') as tenant_id,
    file_id,
    line_number
from "raw"."raw_events" as raw_events
order by event_id, file_id, line_number
