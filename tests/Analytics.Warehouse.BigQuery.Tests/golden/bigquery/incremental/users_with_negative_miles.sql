CREATE OR REPLACE TABLE `marts.users_with_negative_miles__affected` AS
SELECT DISTINCT * FROM (
(select distinct user_id from (select * from `raw.raw_events` where file_id > 40 and file_id <= 42) as changed_rows)
) AS affected;
MERGE `marts.users_with_negative_miles` AS existing
USING (
SELECT * FROM (
with

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
    from `core.fct_events` f
    left join (select * from `raw.raw_events` where file_id > 40 and file_id <= 42) as c on c.file_id = f.file_id and c.line_number = f.line_number
    where not false and f.event_date >= date '2025-03-01' and f.event_type in ('miles_earned', 'miles_redeemed')
),
-- With the sum of their events since the earliest changed day: the balance before it is the current one
-- (dim_users', which took the new events in) less that sum.
changed_users as (
    select tenant_id, user_id, sum(delta) as delta_since
    from recent
    group by tenant_id, user_id
    having COUNTIF(is_new) > 0
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
    join `core.dim_users` u on u.user_id = r.user_id and u.tenant_id = r.tenant_id
),
windows as (
    select
        n.user_id,
        n.tenant_id,
        MIN(IF(n.balance < 0, n.event_time, NULL)) as first_negative_at,
        min(n.balance) as min_balance,
        MIN(IF(not n.is_new, n.old_balance, NULL)) as old_min_balance,
        max(n.final_balance) as final_balance
    from running n
    group by n.user_id, n.tenant_id
),
merged as (
    select
        w.user_id,
        w.tenant_id,
        -- Below zero before the earliest changed day: that first time stands.
        s.user_id is not null and DATE(s.first_negative_at, 'UTC') < date '2025-03-01' as negative_before,
        s.first_negative_at as stored_first_negative_at,
        s.min_balance as stored_min_balance,
        w.first_negative_at,
        w.min_balance,
        w.old_min_balance,
        w.final_balance
    from windows w
    left join `marts.users_with_negative_miles` s on s.user_id = w.user_id and s.tenant_id = w.tenant_id
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

deltas as (
    select
        tenant_id,
        user_id,
        event_time,
        case when event_type = 'miles_earned' then 0 else 1 end as earned_first,
        file_id,
        line_number,
        case when event_type = 'miles_earned' then miles_amount else -miles_amount end as delta
    from `core.fct_events` f
    where event_type in ('miles_earned', 'miles_redeemed')
    
      and ((false and user_id in (SELECT * FROM `marts.users_with_negative_miles__affected`))
           -- An uncorrelated test the planner evaluates once: with no user to recompute, the table is not read.
           or (exists (select 1 from recomputed_users)
               and exists (select 1 from recomputed_users r where r.user_id = f.user_id and r.tenant_id = f.tenant_id)))
    
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
        MIN(IF(balance < 0, event_time, NULL)) as first_negative_at,
        min(balance) as min_balance,
        sum(delta) as final_balance,
        tenant_id
    from history
    group by user_id, tenant_id
)
select user_id, first_negative_at, min_balance, final_balance, tenant_id from recomputed where min_balance < 0

union all
select user_id, first_negative_at, min_balance, final_balance, tenant_id from resolved where not unresolved and min_balance < 0
union all
-- A stored user without new miles events (their new events were others, or in another tenant) keeps their row.
select s.user_id, s.first_negative_at, s.min_balance, s.final_balance, s.tenant_id
from `marts.users_with_negative_miles` s
where not false and s.user_id in (SELECT * FROM `marts.users_with_negative_miles__affected`)
  and not exists (select 1 from changed_users c where c.user_id = s.user_id and c.tenant_id = s.tenant_id)
) AS incoming
WHERE incoming.user_id in (SELECT * FROM `marts.users_with_negative_miles__affected`)
) AS incoming
ON FALSE
WHEN NOT MATCHED BY SOURCE AND existing.user_id in (SELECT * FROM `marts.users_with_negative_miles__affected`) THEN DELETE
WHEN NOT MATCHED THEN INSERT ROW
