/*
description: >
  Distinct (tenant, user, day) activity with the day's event count, first and last event and miles earned and
  redeemed (null on a day without such events): the one scan of the events that every period grain, dim_users' full
  build and most marts read, instead of each re-scanning them. It reads stg_events, whose rows fct_events projects one
  for one, so it builds beside fct_events instead of after it. Incremental by day.
materialization: incremental
partition_by: activity_date
lookback: 3 days
# The per-user marts read a changed user's days.
indexes: [[user_id, activity_date]]
tags: [core, intermediate]
owner: data-platform
# Personal data: masked (a keyed hash) for keys without the pii permission, and not granted to the Superset role.
classification: {user_id: pii}
checks:
  - not_null: [tenant_id, user_id, activity_date, day_index, events]
  - unique: [tenant_id, user_id, activity_date]
*/
select
    tenant_id,
    user_id,
    event_date as activity_date,
    {{ date_diff('day', date '1970-01-01', event_date) }} as day_index,
    count(*) as events,
    min(event_time) as first_at,
    max(event_time) as last_at,
    {{ sum_if(miles_amount, event_type = 'miles_earned') }} as miles_earned,
    {{ sum_if(miles_amount, event_type = 'miles_redeemed') }} as miles_redeemed
from {{ ref('stg_events') }}
{% if is_incremental() %}where event_date in {{ affected() }}{% endif %}
-- Grouped date first: the sort that groups the rows also leaves them in partition order.
group by event_date, tenant_id, user_id
