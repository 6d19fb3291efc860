MERGE `marts.category_engagement` AS existing
USING (
SELECT * FROM (
-- One sorted aggregation whose distinct users come from the same sort. At 10 M events the cells' (user, cell)
-- pairs number 7.4 M, so hashing them first (the earlier per-user step) cost more than this sort and took every
-- core for it.
-- Event counts stay numeric, the type these columns had when they were sums of per-user counts.
select
    DATE_TRUNC(DATE(event_date), ISOWEEK) as week_start,
    event_type,
    coalesce(transaction_category, 'none') as transaction_category,
    CAST(count(*) AS NUMERIC) as events,
    count(distinct user_id) as users,
    coalesce(SUM(IF(event_type in ('miles_earned', 'miles_redeemed'), miles_amount, NULL)), 0) as miles,
    tenant_id
from `core.fct_events`
where event_date in (date '2025-02-24', date '2025-02-25', date '2025-02-26', date '2025-02-27', date '2025-02-28', date '2025-03-01', date '2025-03-02')
group by tenant_id, 1, 2, 3
) AS incoming
WHERE DATE_TRUNC(DATE(incoming.week_start), ISOWEEK) in (date '2025-02-24')
) AS incoming
ON FALSE
WHEN NOT MATCHED BY SOURCE AND DATE_TRUNC(DATE(existing.week_start), ISOWEEK) in (date '2025-02-24') THEN DELETE
WHEN NOT MATCHED THEN INSERT ROW
