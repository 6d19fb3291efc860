/*
description: >
  Users whose running miles balance (earned adds, redeemed subtracts, from 0, in event_time order; earned before
  redeemed at equal times, then ingestion order) falls below zero at some point: when it first did, the lowest
  balance, and the final balance.
# Incremental by user, from the earliest changed day on: a changed user's balance there starts from dim_users'
# current balance less all their miles events since that day, and their running balance is recomputed over those
# events alone. What happened before that day comes from their stored row: a user without one (or whose first
# negative balance came later) was never below zero before it; for one with an earlier first negative, the stored
# lowest balance stands for the days before whenever it is below the lowest of the old events since. Only a user
# where that cannot tell (a late event lifting what was the lowest balance), and every user of a backfill, is
# recomputed from all their miles events; a user whose new events were not miles keeps their row.
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
with
{% if is_incremental() %}
-- Each changed user's miles events from the earliest changed day on, old and new, a new one found as a changed
-- source row (fct_events' statistics on file_id, from before the last append, would size the new rows at one).
recent as (
    select
        f.tenant_id,
        f.user_id,
        f.event_time,
        case when f.event_type = 'miles_earned' then 0 else 1 end as earned_first,
        f.file_id,
        f.line_number,
        case when f.event_type = 'miles_earned' then f.miles_amount else -f.miles_amount end as delta,
        c.file_id is not null as is_new
    from {{ ref('fct_events') }} f
    left join {{ changed('raw_events') }} as c on c.file_id = f.file_id and c.line_number = f.line_number
    where not {{ is_backfill() }} and f.event_date >= {{ affected_start() }} and f.event_type in ('miles_earned', 'miles_redeemed')
),
-- With the sum of their events since the earliest changed day: the balance before it is the current one
-- (dim_users', which took the new events in) less that sum.
changed_users as (
    select tenant_id, user_id, sum(delta) as delta_since
    from recent
    group by tenant_id, user_id
    having {{ count_if(is_new) }} > 0
),
running as (
    select
        r.tenant_id,
        r.user_id,
        r.event_time,
        r.is_new,
        u.miles_balance - c.delta_since
          + sum(r.delta) over (
                partition by r.user_id, r.tenant_id
                order by r.event_time, r.earned_first, r.file_id, r.line_number
                rows between unbounded preceding and current row) as balance,
        -- The same running balance over the old events alone: what the stored row saw since that day.
        u.miles_balance - c.delta_since
          + sum(case when r.is_new then 0 else r.delta end) over (
                partition by r.user_id, r.tenant_id
                order by r.event_time, r.earned_first, r.file_id, r.line_number
                rows between unbounded preceding and current row) as old_balance,
        u.miles_balance as final_balance
    from recent r
    join changed_users c on c.user_id = r.user_id and c.tenant_id = r.tenant_id
    join {{ ref('dim_users') }} u on u.user_id = r.user_id and u.tenant_id = r.tenant_id
),
windows as (
    select
        n.user_id,
        n.tenant_id,
        {{ min_if(n.event_time, n.balance < 0) }} as first_negative_at,
        min(n.balance) as min_balance,
        {{ min_if(n.old_balance, not n.is_new) }} as old_min_balance,
        max(n.final_balance) as final_balance
    from running n
    group by n.user_id, n.tenant_id
),
merged as (
    select
        w.user_id,
        w.tenant_id,
        -- Below zero before the earliest changed day: that first time stands.
        s.user_id is not null and {{ utc_date(s.first_negative_at) }} < {{ affected_start() }} as negative_before,
        s.first_negative_at as stored_first_negative_at,
        s.min_balance as stored_min_balance,
        w.first_negative_at,
        w.min_balance,
        w.old_min_balance,
        w.final_balance
    from windows w
    left join {{ this }} s on s.user_id = w.user_id and s.tenant_id = w.tenant_id
),
resolved as (
    select user_id, tenant_id, first_negative_at, min_balance, final_balance, false as unresolved
    from merged where not negative_before
    union all
    -- The stored lowest is the days before's when no old event since went as low; when one did, the new lowest
    -- still stands if it is at or below it. Otherwise the days before's lowest is unknown here.
    select user_id, tenant_id, stored_first_negative_at,
           case when old_min_balance is null or stored_min_balance < old_min_balance then least(stored_min_balance, min_balance)
                else min_balance end,
           final_balance,
           not (old_min_balance is null or stored_min_balance < old_min_balance or min_balance <= stored_min_balance)
    from merged where negative_before
),
recomputed_users as (
    select tenant_id, user_id from resolved where unresolved
),
{% endif %}
deltas as (
    select
        tenant_id,
        user_id,
        event_time,
        case when event_type = 'miles_earned' then 0 else 1 end as earned_first,
        file_id,
        line_number,
        case when event_type = 'miles_earned' then miles_amount else -miles_amount end as delta
    from {{ ref('fct_events') }} f
    where event_type in ('miles_earned', 'miles_redeemed')
    {% if is_incremental() %}
      and (({{ is_backfill() }} and user_id in {{ affected() }})
           -- An uncorrelated test the planner evaluates once: with no user to recompute, the table is not read.
           or (exists (select 1 from recomputed_users)
               and exists (select 1 from recomputed_users r where r.user_id = f.user_id and r.tenant_id = f.tenant_id)))
    {% endif %}
),
history as (
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
),
recomputed as (
    select
        user_id,
        {{ min_if(event_time, balance < 0) }} as first_negative_at,
        min(balance) as min_balance,
        sum(delta) as final_balance,
        tenant_id
    from history
    group by user_id, tenant_id
)
select user_id, first_negative_at, min_balance, final_balance, tenant_id from recomputed where min_balance < 0
{% if is_incremental() %}
union all
select user_id, first_negative_at, min_balance, final_balance, tenant_id from resolved where not unresolved and min_balance < 0
union all
-- A stored user without new miles events (their new events were others, or in another tenant) keeps their row.
select s.user_id, s.first_negative_at, s.min_balance, s.final_balance, s.tenant_id
from {{ this }} s
where not {{ is_backfill() }} and s.user_id in {{ affected() }}
  and not exists (select 1 from changed_users c where c.user_id = s.user_id and c.tenant_id = s.tenant_id)
{% endif %}
