select 
    event_id,
    event_time,
    DATE(event_time, 'UTC') as event_date,
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
from `raw.raw_events` as raw_events
QUALIFY ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY file_id, line_number) = 1
