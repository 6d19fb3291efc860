select tenant_id, 'week' as grain, user_id, DATE_DIFF(DATE(week_start), DATE(date '1970-01-05'), ISOWEEK) as period_index, week_start as period_start
from (
    select distinct tenant_id, user_id, DATE_TRUNC(DATE(activity_date), ISOWEEK) as week_start
    from `core.user_activity_days`
    
) weeks
union all
select tenant_id, 'month', user_id, DATE_DIFF(DATE(month_start), DATE(date '1970-01-01'), MONTH), month_start
from (
    select distinct tenant_id, user_id, DATE_TRUNC(DATE(activity_date), MONTH) as month_start
    from `core.user_activity_days`
    
) months
