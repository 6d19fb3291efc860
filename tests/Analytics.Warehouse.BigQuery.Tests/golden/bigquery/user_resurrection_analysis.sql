with days as (
    select tenant_id, user_id, activity_date from `core.user_activity_days`
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
