insert into "staging"."stg_events"
select * from (
select distinct on (event_date, event_id)
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
from (select *, ((event_time) at time zone 'UTC')::date as event_date from (select * from "raw"."raw_events" where file_id > 40 and file_id <= 42) as loaded) as raw_events
order by event_date, event_id, file_id, line_number
) as incoming
where not exists (select 1 from "staging"."stg_events" as existing where existing.event_id = incoming.event_id and existing.event_date = incoming.event_date and existing.event_date in (date '2025-03-01', date '2025-03-02')) and incoming.event_date in (date '2025-03-01', date '2025-03-02')
