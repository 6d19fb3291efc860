MERGE `marts.miles_by_tier` AS existing
USING (
SELECT * FROM (
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
and event_date >= date '2025-03-01' and DATE_TRUNC(DATE(event_date), MONTH) in (date '2025-03-01')
group by tenant_id, 1, 3
) AS incoming
WHERE DATE_TRUNC(DATE(incoming.month), MONTH) in (date '2025-03-01')
) AS incoming
ON FALSE
WHEN NOT MATCHED BY SOURCE AND DATE_TRUNC(DATE(existing.month), MONTH) in (date '2025-03-01') THEN DELETE
WHEN NOT MATCHED THEN INSERT ROW
