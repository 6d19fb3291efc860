select
    DATE_TRUNC(DATE(event_date), MONTH) as month,
    tenant_id,
    membership_tier,
    coalesce(SUM(IF(event_type = 'miles_earned', miles_amount, NULL)), 0) as miles_earned,
    coalesce(SUM(IF(event_type = 'miles_redeemed', miles_amount, NULL)), 0) as miles_redeemed,
    COUNT(DISTINCT IF(event_type = 'miles_earned', user_id, NULL)) as earning_users,
    COUNT(DISTINCT IF(event_type = 'miles_redeemed', user_id, NULL)) as redeeming_users
from `core.fct_events`
where event_type in ('miles_earned', 'miles_redeemed')

group by tenant_id, 1, 3
