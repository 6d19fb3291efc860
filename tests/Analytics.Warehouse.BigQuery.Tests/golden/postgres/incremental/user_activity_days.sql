create temporary table analytics_incoming on commit drop as
select * from (
select
    tenant_id,
    user_id,
    event_date as activity_date,
    (((event_date)::date - (date '1970-01-01')::date)) as day_index,
    count(*) as events,
    min(event_time) as first_at,
    max(event_time) as last_at,
    sum(miles_amount) filter (where event_type = 'miles_earned') as miles_earned,
    sum(miles_amount) filter (where event_type = 'miles_redeemed') as miles_redeemed
from "staging"."stg_events"
where event_date in (date '2025-03-01', date '2025-03-02')
-- Grouped date first: the sort that groups the rows also leaves them in partition order.
group by event_date, tenant_id, user_id
) as incoming
where incoming.activity_date in (date '2025-03-01', date '2025-03-02');
delete from "core"."user_activity_days" as existing where existing.activity_date in (date '2025-03-01', date '2025-03-02')
and not exists (select 1 from analytics_incoming as incoming where existing.activity_date = incoming.activity_date and existing.tenant_id = incoming.tenant_id and existing.user_id = incoming.user_id and row(incoming.*)::text = row(existing.*)::text and (incoming.activity_date, incoming.tenant_id, incoming.user_id) not in (select activity_date, tenant_id, user_id from analytics_incoming group by activity_date, tenant_id, user_id having count(*) > 1));
insert into "core"."user_activity_days"
select * from analytics_incoming as incoming
where not exists (select 1 from "core"."user_activity_days" as existing where existing.activity_date in (date '2025-03-01', date '2025-03-02') and existing.activity_date = incoming.activity_date and existing.tenant_id = incoming.tenant_id and existing.user_id = incoming.user_id)
