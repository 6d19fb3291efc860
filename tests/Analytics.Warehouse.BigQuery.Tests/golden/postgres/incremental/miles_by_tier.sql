create temporary table analytics_incoming on commit drop as
select * from (
select
    (date_trunc('month', (event_date)::timestamp)::date) as month,
    tenant_id,
    membership_tier,
    coalesce(sum(miles_amount) filter (where event_type = 'miles_earned'), 0) as miles_earned,
    coalesce(sum(miles_amount) filter (where event_type = 'miles_redeemed'), 0) as miles_redeemed,
    count(distinct user_id) filter (where event_type = 'miles_earned') as earning_users,
    count(distinct user_id) filter (where event_type = 'miles_redeemed') as redeeming_users
from "core"."fct_events"
where event_type in ('miles_earned', 'miles_redeemed')
and event_date >= date '2025-03-01' and (date_trunc('month', (event_date)::timestamp)::date) in (date '2025-03-01')
group by tenant_id, 1, 3
) as incoming
where (date_trunc('month', (incoming.month)::timestamp)::date) in (date '2025-03-01');
delete from "marts"."miles_by_tier" as existing where (date_trunc('month', (existing.month)::timestamp)::date) in (date '2025-03-01')
and not exists (select 1 from analytics_incoming as incoming where existing.month = incoming.month and existing.tenant_id = incoming.tenant_id and existing.membership_tier = incoming.membership_tier and row(incoming.*)::text = row(existing.*)::text and (incoming.month, incoming.tenant_id, incoming.membership_tier) not in (select month, tenant_id, membership_tier from analytics_incoming group by month, tenant_id, membership_tier having count(*) > 1));
insert into "marts"."miles_by_tier"
select * from analytics_incoming as incoming
where not exists (select 1 from "marts"."miles_by_tier" as existing where (date_trunc('month', (existing.month)::timestamp)::date) in (date '2025-03-01') and existing.month = incoming.month and existing.tenant_id = incoming.tenant_id and existing.membership_tier = incoming.membership_tier)
