/*
description: >
  The miles economy per (date, transaction_category; null shown as 'none') for pairs with at least one miles
  event: miles earned and redeemed, net miles, event counts and distinct earning and redeeming users.
# Incremental by day: a run rebuilds the days the new loads have events in.
materialization: incremental
partition_by: date
lookback: 3 days
tags: [marts, miles]
owner: rewards
checks:
  - not_null: [date, transaction_category, miles_earned, miles_redeemed, net_miles, earn_events, redeem_events, earning_users, redeeming_users, tenant_id]
  - unique: [tenant_id, date, transaction_category]
  - expression:
      name: miles_analytics__net_is_earned_minus_redeemed
      sql: net_miles = miles_earned - miles_redeemed and earn_events + redeem_events > 0
  - expression:
      name: miles_analytics__users_within_events
      sql: earning_users <= earn_events and redeeming_users <= redeem_events
  - query:
      name: miles_analytics__totals_match_dim_users
      sql: >
        select * from (select coalesce(sum(miles_earned), 0) as earned, coalesce(sum(miles_redeemed), 0) as redeemed from {{ this }}) m,
                      (select coalesce(sum(miles_earned), 0) as earned, coalesce(sum(miles_redeemed), 0) as redeemed from {{ ref('dim_users') }}) u
        where m.earned is distinct from u.earned or m.redeemed is distinct from u.redeemed
*/
-- One sorted aggregation with distinct users from the same sort, not a hash of every (date, category, user) first:
-- at 10 M events that hash held millions of groups and was the slower of the two.
-- Event counts stay numeric, the type these columns had when they were sums of per-user counts.
select
    event_date as date,
    coalesce(transaction_category, 'none') as transaction_category,
    coalesce({{ sum_if(miles_amount, event_type = 'miles_earned') }}, 0) as miles_earned,
    coalesce({{ sum_if(miles_amount, event_type = 'miles_redeemed') }}, 0) as miles_redeemed,
    coalesce({{ sum_if(miles_amount, event_type = 'miles_earned') }}, 0)
        - coalesce({{ sum_if(miles_amount, event_type = 'miles_redeemed') }}, 0) as net_miles,
    {{ cast(sum(case when event_type = 'miles_earned' then 1 else 0 end), numeric) }} as earn_events,
    {{ cast(sum(case when event_type = 'miles_redeemed' then 1 else 0 end), numeric) }} as redeem_events,
    {{ count_distinct_if(user_id, event_type = 'miles_earned') }} as earning_users,
    {{ count_distinct_if(user_id, event_type = 'miles_redeemed') }} as redeeming_users,
    tenant_id
from {{ ref('fct_events') }}
where event_type in ('miles_earned', 'miles_redeemed')
{% if is_incremental() %}and event_date in {{ affected() }}{% endif %}
group by tenant_id, 1, 2
