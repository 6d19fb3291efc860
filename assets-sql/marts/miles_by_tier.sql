/*
description: >
  Miles earned and redeemed per month by the membership tier each user held at the event's time (fct_events'
  membership_tier; 'unknown' before the snapshot knew them), with the earning and redeeming users of each.
# Incremental by month: a run rebuilds the months the new loads have events in (and, after the snapshot changed a
# tier, every month from the change on), reading those months' days by index range.
materialization: incremental
partition_by: month
grain: month
lookback: 1 month
tags: [marts, membership, miles]
owner: rewards
checks:
  - not_null: [month, tenant_id, membership_tier, miles_earned, miles_redeemed, earning_users, redeeming_users]
  - unique: [tenant_id, month, membership_tier]
  - query:
      name: miles_by_tier__totals_match_miles_analytics
      sql: >
        select * from (select coalesce(sum(miles_earned), 0) as earned, coalesce(sum(miles_redeemed), 0) as redeemed from {{ this }}) t,
                      (select coalesce(sum(miles_earned), 0) as earned, coalesce(sum(miles_redeemed), 0) as redeemed from {{ ref('miles_analytics') }}) m
        where t.earned is distinct from m.earned or t.redeemed is distinct from m.redeemed
*/
select
    {{ date_trunc('month', event_date) }} as month,
    tenant_id,
    membership_tier,
    coalesce({{ sum_if(miles_amount, event_type = 'miles_earned') }}, 0) as miles_earned,
    coalesce({{ sum_if(miles_amount, event_type = 'miles_redeemed') }}, 0) as miles_redeemed,
    {{ count_distinct_if(user_id, event_type = 'miles_earned') }} as earning_users,
    {{ count_distinct_if(user_id, event_type = 'miles_redeemed') }} as redeeming_users
from {{ ref('fct_events') }}
where event_type in ('miles_earned', 'miles_redeemed')
{% if is_incremental() %}and event_date >= {{ affected_start() }} and {{ date_trunc('month', event_date) }} in {{ affected() }}{% endif %}
group by tenant_id, 1, 3
