MERGE `core.fct_events` AS existing
USING (
SELECT * FROM (
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
from `staging.stg_events`
where event_date in (date '2025-03-01', date '2025-03-02')
) AS incoming
WHERE incoming.event_date in (date '2025-03-01', date '2025-03-02')
) AS incoming
ON FALSE
WHEN NOT MATCHED BY SOURCE AND existing.event_date in (date '2025-03-01', date '2025-03-02') THEN DELETE
WHEN NOT MATCHED THEN INSERT ROW
