select
    tenant_id,
    user_id,
    event_date as activity_date,
    DATE_DIFF(DATE(event_date), DATE(date '1970-01-01'), DAY) as day_index,
    count(*) as events,
    min(event_time) as first_at,
    max(event_time) as last_at,
    SUM(IF(event_type = 'miles_earned', miles_amount, NULL)) as miles_earned,
    SUM(IF(event_type = 'miles_redeemed', miles_amount, NULL)) as miles_redeemed
from `staging.stg_events`

-- Grouped date first: the sort that groups the rows also leaves them in partition order.
group by event_date, tenant_id, user_id
