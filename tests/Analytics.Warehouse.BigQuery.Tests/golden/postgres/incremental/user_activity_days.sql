delete from "core"."user_activity_days" as existing where existing.activity_date in (date '2025-03-01', date '2025-03-02');
insert into "core"."user_activity_days"
select * from (
select
    tenant_id,
    user_id,
    event_date as activity_date,
    (((event_date)::date - (date '1970-01-01')::date)) as day_index,
    count(*) as events
from "staging"."stg_events"
where event_date in (date '2025-03-01', date '2025-03-02')
-- Grouped date first: the sort that groups the rows also leaves them in partition order.
group by event_date, tenant_id, user_id
) as incoming
where incoming.activity_date in (date '2025-03-01', date '2025-03-02')
