MERGE `core.user_activity_periods` AS existing
USING (
SELECT * FROM (
select tenant_id, 'week' as grain, user_id, DATE_DIFF(DATE(week_start), DATE(date '1970-01-05'), ISOWEEK) as period_index, week_start as period_start
from (
    select distinct tenant_id, user_id, DATE_TRUNC(DATE(activity_date), ISOWEEK) as week_start
    from `core.user_activity_days`
    where (not false and activity_date in (date '2025-03-01', date '2025-03-02')) or (false and activity_date >= date '2025-03-01')
) weeks
union all
select tenant_id, 'month', user_id, DATE_DIFF(DATE(month_start), DATE(date '1970-01-01'), MONTH), month_start
from (
    select distinct tenant_id, user_id, DATE_TRUNC(DATE(activity_date), MONTH) as month_start
    from `core.user_activity_days`
    where (not false and activity_date in (date '2025-03-01', date '2025-03-02')) or (false and activity_date >= date '2025-03-01')
) months
) AS incoming
WHERE TRUE AND incoming.period_start in (date '2025-03-01', date '2025-03-02')
) AS incoming
ON existing.tenant_id = incoming.tenant_id AND existing.grain = incoming.grain AND existing.user_id = incoming.user_id AND existing.period_start = incoming.period_start AND existing.period_start in (date '2025-03-01', date '2025-03-02')
WHEN NOT MATCHED THEN INSERT ROW
