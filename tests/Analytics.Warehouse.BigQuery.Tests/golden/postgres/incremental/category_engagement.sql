create temporary table analytics_incoming on commit drop as
select * from (
-- One sorted aggregation whose distinct users come from the same sort. At 10 M events the cells' (user, cell)
-- pairs number 7.4 M, so hashing them first (the earlier per-user step) cost more than this sort and took every
-- core for it.
-- Event counts stay numeric, the type these columns had when they were sums of per-user counts.
select
    (date_trunc('week', (event_date)::timestamp)::date) as week_start,
    event_type,
    coalesce(transaction_category, 'none') as transaction_category,
    (count(*))::numeric as events,
    count(distinct user_id) as users,
    coalesce(sum(miles_amount) filter (where event_type in ('miles_earned', 'miles_redeemed')), 0) as miles,
    tenant_id
from "core"."fct_events"
where event_date in (date '2025-02-24', date '2025-02-25', date '2025-02-26', date '2025-02-27', date '2025-02-28', date '2025-03-01', date '2025-03-02')
group by tenant_id, 1, 2, 3
) as incoming
where (date_trunc('week', (incoming.week_start)::timestamp)::date) in (date '2025-02-24');
delete from "marts"."category_engagement" as existing where (date_trunc('week', (existing.week_start)::timestamp)::date) in (date '2025-02-24')
and not exists (select 1 from analytics_incoming as incoming where existing.week_start = incoming.week_start and existing.tenant_id = incoming.tenant_id and existing.event_type = incoming.event_type and existing.transaction_category = incoming.transaction_category and row(incoming.*)::text = row(existing.*)::text and (incoming.week_start, incoming.tenant_id, incoming.event_type, incoming.transaction_category) not in (select week_start, tenant_id, event_type, transaction_category from analytics_incoming group by week_start, tenant_id, event_type, transaction_category having count(*) > 1));
insert into "marts"."category_engagement"
select * from analytics_incoming as incoming
where not exists (select 1 from "marts"."category_engagement" as existing where (date_trunc('week', (existing.week_start)::timestamp)::date) in (date '2025-02-24') and existing.week_start = incoming.week_start and existing.tenant_id = incoming.tenant_id and existing.event_type = incoming.event_type and existing.transaction_category = incoming.transaction_category)
