/*
description: >
  Users whose running miles balance (earned adds, redeemed subtracts, from 0, in event_time order; earned before
  redeemed at equal times, then ingestion order) falls below zero at some point: when it first did, the lowest
  balance, and the final balance.
# Incremental by user: a run rebuilds the users the new loads have events for, from all their miles events.
materialization: incremental
unique_key: user_id
tags: [marts, miles]
owner: rewards
# Personal data: masked (a keyed hash) for keys without the pii permission, and not granted to the Superset role.
classification: {user_id: pii}
checks:
  - not_null: [user_id, first_negative_at, min_balance, final_balance, tenant_id]
  - unique: [tenant_id, user_id]
  - expression:
      name: users_with_negative_miles__min_below_zero
      sql: min_balance < 0 and min_balance <= final_balance
  - relationships: {column: user_id, to: dim_users, field: user_id}
  - query:
      name: users_with_negative_miles__final_balance_matches_dim_users
      sql: >
        select n.* from {{ this }} n join {{ ref('dim_users') }} u using (tenant_id, user_id)
        where n.final_balance <> u.miles_balance
*/
with deltas as (
    select
        tenant_id,
        user_id,
        event_time,
        case when event_type = 'miles_earned' then 0 else 1 end as earned_first,
        file_id,
        line_number,
        case when event_type = 'miles_earned' then miles_amount else -miles_amount end as delta
    from {{ ref('fct_events') }}
    where event_type in ('miles_earned', 'miles_redeemed')
    {% if is_incremental() %}and user_id in {{ affected() }}{% endif %}
),
running as (
    select
        tenant_id,
        user_id,
        event_time,
        delta,
        sum(delta) over (
            partition by user_id, tenant_id
            order by event_time, earned_first, file_id, line_number
            rows between unbounded preceding and current row) as balance
    from deltas
)
select
    user_id,
    {{ min_if(event_time, balance < 0) }} as first_negative_at,
    min(balance) as min_balance,
    sum(delta) as final_balance,
    tenant_id
from running
group by user_id, tenant_id
having min(balance) < 0
