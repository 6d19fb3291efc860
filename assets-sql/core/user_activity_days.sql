/*
description: >
  Distinct (user, day) activity with the day's event count: the one scan of fct_events that every period grain
  and most marts read, instead of each re-scanning the events.
materialization: table
tags: [core, intermediate]
owner: data-platform
checks:
  - not_null: [user_id, activity_date, day_index, events]
  - unique: [user_id, activity_date]
*/
select
    user_id,
    event_date as activity_date,
    (event_date - date '1970-01-01') as day_index,
    count(*) as events
from {{ ref('fct_events') }}
group by user_id, event_date
