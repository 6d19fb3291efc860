CREATE OR REPLACE TABLE `marts.user_resurrection_analysis__affected` AS
SELECT DISTINCT * FROM (
(select distinct user_id from (select * from `raw.raw_events` where file_id > 40 and file_id <= 42) as changed_rows)
) AS affected;
MERGE `marts.user_resurrection_analysis` AS existing
USING (
SELECT * FROM (
with
recent as (
    select tenant_id, user_id, activity_date
    from `core.user_activity_days`
    where user_id in (SELECT * FROM `marts.user_resurrection_analysis__affected`) and (false or activity_date >= date '2025-03-01')
),
before as (
    select
        f.tenant_id,
        f.user_id,
        (select max(d.activity_date) from `core.user_activity_days` d
         where d.user_id = f.user_id and d.tenant_id = f.tenant_id and d.activity_date < date '2025-03-01') as activity_date
    from (select distinct tenant_id, user_id from recent) f
    where not false
),
days as (
    select tenant_id, user_id, activity_date from recent
    union all
    select tenant_id, user_id, activity_date from before where activity_date is not null
)

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
    from days
) d
where activity_date - previous_active_date - 1 >= 7

union all
select user_id, previous_active_date, returned_date, dormant_days, dormancy_bucket, tenant_id
from `marts.user_resurrection_analysis`
where not false and user_id in (SELECT * FROM `marts.user_resurrection_analysis__affected`) and returned_date < date '2025-03-01'
) AS incoming
WHERE incoming.user_id in (SELECT * FROM `marts.user_resurrection_analysis__affected`)
) AS incoming
ON FALSE
WHEN NOT MATCHED BY SOURCE AND existing.user_id in (SELECT * FROM `marts.user_resurrection_analysis__affected`) THEN DELETE
WHEN NOT MATCHED THEN INSERT ROW
