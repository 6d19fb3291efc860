/*
description: >
  Weekly engagement per (week_start, event_type, transaction_category; null shown as 'none'): events, distinct
  users, and miles (the miles of miles_earned and miles_redeemed events; other events carry none).
# Incremental by week: a run rebuilds the weeks the new loads have events in.
materialization: incremental
partition_by: week_start
grain: week
lookback: 1 week
tags: [marts, engagement]
owner: growth
checks:
  - not_null: [week_start, event_type, transaction_category, events, users, miles, tenant_id]
  - unique: [tenant_id, week_start, event_type, transaction_category]
  - accepted_values: {column: event_type, values: [miles_earned, miles_redeemed, share, like, reward_search]}
  - expression:
      name: category_engagement__users_within_events
      sql: users >= 1 and users <= events and miles >= 0
  - query:
      name: category_engagement__events_match_fct_events
      sql: >
        select * from (select sum(events) as events from {{ this }}) c, (select count(*) as events from {{ ref('fct_events') }}) f
        where c.events <> f.events
*/
-- One sorted aggregation whose distinct users come from the same sort. At 10 M events the cells' (user, cell)
-- pairs number 7.4 M, so hashing them first (the earlier per-user step) cost more than this sort and took every
-- core for it.
-- Event counts stay numeric, the type these columns had when they were sums of per-user counts.
select
    {{ date_trunc('week', event_date) }} as week_start,
    event_type,
    coalesce(transaction_category, 'none') as transaction_category,
    {{ cast(count(*), numeric) }} as events,
    count(distinct user_id) as users,
    coalesce({{ sum_if(miles_amount, event_type in ('miles_earned', 'miles_redeemed')) }}, 0) as miles,
    tenant_id
from {{ ref('fct_events') }}
{% if is_incremental() %}where event_date in {{ affected_days() }}{% endif %}
group by tenant_id, 1, 2, 3
