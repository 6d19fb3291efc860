/*
description: >
  One row per user: first and last event, first-touch attributes (the earliest event by event_time, ties broken
  by ingestion order), activity counts and the miles balance (0, not null, for users without miles events).
materialization: table
tags: [core]
owner: data-platform
checks:
  - not_null: [user_id, first_event_at, last_event_at, miles_earned, miles_redeemed, miles_balance]
  - unique: user_id
  - expression:
      name: dim_users__balance_is_earned_minus_redeemed
      sql: miles_balance = miles_earned - miles_redeemed
  - expression:
      name: dim_users__first_before_last
      sql: first_event_at <= last_event_at
  - expression:
      name: dim_users__counts_consistent
      sql: active_days >= 1 and total_events >= active_days
*/
-- One aggregation per user over the events, sorted by user so each user's distinct days are counted from a
-- few dozen rows; hashing every (user, day) first (3.9 M groups at 10 M events) cost more and took every core.
with activity as (
    select
        user_id,
        min(event_time) as first_event_at,
        max(event_time) as last_event_at,
        count(*)::numeric as total_events,
        count(distinct event_date) as active_days,
        coalesce(sum(miles_amount) filter (where event_type = 'miles_earned'), 0) as miles_earned,
        coalesce(sum(miles_amount) filter (where event_type = 'miles_redeemed'), 0) as miles_redeemed
    from {{ ref('stg_events') }}
    group by user_id
),
first_touch as (
    -- The user's earliest events (several when they share a timestamp); ingestion order breaks the tie. A
    -- semi-join, so the hash is built on the 277 k first timestamps and the events only probe it.
    select distinct on (s.user_id)
        s.user_id,
        s.platform as first_platform,
        s.utm_source as first_utm_source,
        s.country as first_country
    from {{ ref('stg_events') }} s
    where (s.user_id, s.event_time) in (select user_id, first_event_at from activity)
    order by s.user_id, s.file_id, s.line_number
)
select
    a.user_id,
    a.first_event_at,
    a.last_event_at,
    f.first_platform,
    f.first_utm_source,
    f.first_country,
    a.total_events,
    a.active_days,
    a.miles_earned,
    a.miles_redeemed,
    a.miles_earned - a.miles_redeemed as miles_balance
from activity a
join first_touch f using (user_id)
