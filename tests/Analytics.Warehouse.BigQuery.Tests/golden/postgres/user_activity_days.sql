select
    tenant_id,
    user_id,
    event_date as activity_date,
    (((event_date)::date - (date '1970-01-01')::date)) as day_index,
    count(*) as events,
    min(event_time) as first_at,
    max(event_time) as last_at,
    sum(miles_amount) filter (where event_type = 'miles_earned') as miles_earned,
    sum(miles_amount) filter (where event_type = 'miles_redeemed') as miles_redeemed
from "staging"."stg_events"

-- Grouped date first: the sort that groups the rows also leaves them in partition order.
group by event_date, tenant_id, user_id
