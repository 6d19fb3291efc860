MERGE `core.user_activity_periods` AS existing
USING (
SELECT * FROM (
select tenant_id, 'week' as grain, user_id, DATE_DIFF(DATE(week_start), DATE(date '1970-01-05'), ISOWEEK) as period_index, week_start as period_start
from (
    select distinct tenant_id, user_id, DATE_TRUNC(DATE(activity_date), ISOWEEK) as week_start
    from `core.user_activity_days`
    where activity_date >= date '2025-03-01' and DATE_TRUNC(DATE(activity_date), ISOWEEK) in (date '2025-03-01', date '2025-03-02')
) weeks
union all
select tenant_id, 'month', user_id, DATE_DIFF(DATE(month_start), DATE(date '1970-01-01'), MONTH), month_start
from (
    select distinct tenant_id, user_id, DATE_TRUNC(DATE(activity_date), MONTH) as month_start
    from `core.user_activity_days`
    where activity_date >= date '2025-03-01' and DATE_TRUNC(DATE(activity_date), MONTH) in (date '2025-03-01', date '2025-03-02')
) months
) AS incoming
WHERE incoming.period_start in (date '2025-03-01', date '2025-03-02')
) AS incoming
ON FALSE
WHEN NOT MATCHED BY SOURCE AND existing.period_start in (date '2025-03-01', date '2025-03-02') THEN DELETE
WHEN NOT MATCHED THEN INSERT ROW
