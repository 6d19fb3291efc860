with

deltas as (
    select
        tenant_id,
        user_id,
        event_time,
        case when event_type = 'miles_earned' then 0 else 1 end as earned_first,
        file_id,
        line_number,
        case when event_type = 'miles_earned' then miles_amount else -miles_amount end as delta
    from "core"."fct_events" f
    where event_type in ('miles_earned', 'miles_redeemed')
    
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
        min(event_time) filter (where balance < 0) as first_negative_at,
        min(balance) as min_balance,
        sum(delta) as final_balance,
        tenant_id
    from history
    group by user_id, tenant_id
)
select user_id, first_negative_at, min_balance, final_balance, tenant_id from recomputed where min_balance < 0
