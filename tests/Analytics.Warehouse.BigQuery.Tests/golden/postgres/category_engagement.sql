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

group by tenant_id, 1, 2, 3
