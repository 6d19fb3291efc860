CREATE OR REPLACE TABLE `marts.user_resurrection_analysis__affected` AS
SELECT DISTINCT * FROM (
(select distinct user_id from (select * from `raw.raw_events` where file_id > 40 and file_id <= 42) as changed_rows)
) AS affected;
MERGE `marts.user_resurrection_analysis` AS existing
USING (
SELECT * FROM (
select
    user_id,
    previous_active_date,
    activity_date as returned_date,
    activity_date - previous_active_date - 1 as dormant_days,
    case
        when activity_date - previous_active_date - 1 < 14 then 'short'
        when activity_date - previous_active_date - 1 < 30 then 'medium'
        when activity_date - previous_active_date - 1 < 60 then 'long'
        else 'very_long'
    end as dormancy_bucket,
    tenant_id
from (
    select tenant_id, user_id, activity_date, lag(activity_date) over (partition by user_id, tenant_id order by activity_date) as previous_active_date
    from `core.user_activity_days`
    where user_id in (SELECT * FROM `marts.user_resurrection_analysis__affected`)
) d
where activity_date - previous_active_date - 1 >= 7
) AS incoming
WHERE incoming.user_id in (SELECT * FROM `marts.user_resurrection_analysis__affected`)
) AS incoming
ON FALSE
WHEN NOT MATCHED BY SOURCE AND existing.user_id in (SELECT * FROM `marts.user_resurrection_analysis__affected`) THEN DELETE
WHEN NOT MATCHED THEN INSERT ROW
