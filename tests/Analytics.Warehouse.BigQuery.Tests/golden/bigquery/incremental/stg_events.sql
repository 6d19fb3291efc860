MERGE `staging.stg_events` AS existing
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
    coalesce(tenant_id, 'default') as tenant_id,
    file_id,
    line_number
-- De-duplicated within each day (duplicates share their event_time): the one sort that finds the first copy also
-- leaves the table in partition order, so its build needs no second sort of every row by date.
from (select *, DATE(event_time, 'UTC') as event_date from (select * from `raw.raw_events` where file_id > 40 and file_id <= 42) as loaded) as raw_events
QUALIFY ROW_NUMBER() OVER (PARTITION BY event_date, event_id ORDER BY file_id, line_number) = 1
) AS incoming
WHERE TRUE AND incoming.event_date in (date '2025-03-01', date '2025-03-02')
) AS incoming
ON existing.event_id = incoming.event_id AND existing.event_date = incoming.event_date AND existing.event_date in (date '2025-03-01', date '2025-03-02')
WHEN NOT MATCHED THEN INSERT ROW
