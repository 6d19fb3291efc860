with users as (
    select tenant_id, user_id, min(activity_date) as first_active_date, max(activity_date) as last_active_date, count(*) as active_days
    from "core"."user_activity_days"
    group by tenant_id, user_id
),

-- Gaps and islands: consecutive days share (day_index - row number). An incremental build reads here only the
-- users active on each of the 31 days before the changes (or all of a backfill's), whose streak may reach further
-- back; the uncorrelated test is evaluated once, so with no such user the table is not read.
history as (
    select d.tenant_id, d.user_id, d.day_index - row_number() over (partition by d.user_id, d.tenant_id order by d.day_index) as island
    from "core"."user_activity_days" d
    
),
streaks as (
    
    select tenant_id, user_id, max(days) as longest_streak_days
    from (select tenant_id, user_id, island, count(*) as days from history group by tenant_id, user_id, island) s
    group by tenant_id, user_id
)
select
    u.user_id,
    u.first_active_date,
    u.last_active_date,
    u.last_active_date - u.first_active_date as tenure_days,
    u.active_days,
    ((u.active_days)::numeric / nullif((u.last_active_date - u.first_active_date + 1), 0)) as activity_rate,
    s.longest_streak_days,
    case
        when u.last_active_date - u.first_active_date < 7 then 'new'
        when u.last_active_date - u.first_active_date < 30 then 'growing'
        when u.last_active_date - u.first_active_date < 90 then 'established'
        else 'mature'
    end as lifecycle_stage,
    u.tenant_id
from users u
join streaks s using (tenant_id, user_id)
