delete from "core"."fct_events" as existing where existing.event_date in (date '2025-03-01', date '2025-03-02');
insert into "core"."fct_events"
select * from (
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
where event_date in (date '2025-03-01', date '2025-03-02')
) as incoming
where incoming.event_date in (date '2025-03-01', date '2025-03-02')
