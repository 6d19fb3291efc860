with islands as (
    -- Gaps and islands: consecutive days share (day_index - row number).
    select user_id, day_index - row_number() over (partition by user_id order by day_index) as island
    from "core"."user_activity_days"
    
),
streaks as (
    select user_id, max(days) as longest_streak_days
    from (select user_id, island, count(*) as days from islands group by user_id, island) s
    group by user_id
),
users as (
    select user_id, min(activity_date) as first_active_date, max(activity_date) as last_active_date, count(*) as active_days
    from "core"."user_activity_days"
    
    group by user_id
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
    end as lifecycle_stage
from users u
join streaks s using (user_id)
