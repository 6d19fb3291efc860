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

group by tenant_id, 1, 3
