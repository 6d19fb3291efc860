CREATE OR REPLACE TABLE `marts.retention_quality_framework__affected` AS
SELECT DISTINCT * FROM (
(select distinct user_id from (select * from `raw.raw_events` where file_id > 40 and file_id <= 42) as changed_rows)
) AS affected;
MERGE `marts.retention_quality_framework` AS existing
USING (
SELECT * FROM (
with
-- The changed users' days from 31 days before the earliest changed day on (one index range), in islands:
-- consecutive days share (day_index - row number).
recent as (
    select
        d.tenant_id,
        d.user_id,
        d.activity_date < b.start as before_changes,
        d.day_index - row_number() over (partition by d.user_id, d.tenant_id order by d.day_index) as island
    from `core.user_activity_days` d
    cross join (select start, DATE_ADD(DATE(start), INTERVAL (-31) DAY) as window_start from (select date '2025-03-01' as start) as a) as b
    where not false and d.activity_date >= b.window_start and d.user_id in (SELECT * FROM `marts.retention_quality_framework__affected`)
),
recent_streaks as (
    select tenant_id, user_id, max(days) as longest_streak_days, sum(days_before) = 31 as no_gap_before
    from (
        select tenant_id, user_id, island, count(*) as days, COUNTIF(before_changes) as days_before
        from recent
        group by tenant_id, user_id, island
    ) s
    group by tenant_id, user_id
),
users as (
    select
        u.tenant_id,
        u.user_id,
        DATE(u.first_event_at, 'UTC') as first_active_date,
        DATE(u.last_event_at, 'UTC') as last_active_date,
        u.active_days,
        -- A user without a stored row had no days before this build's loads: all their days are recent.
        case when not coalesce(r.no_gap_before, false) and not false
             then greatest(coalesce(s.longest_streak_days, 0), coalesce(r.longest_streak_days, 0)) end as longest_streak_days
    from `core.dim_users` u
    left join recent_streaks r on r.user_id = u.user_id and r.tenant_id = u.tenant_id
    left join `marts.retention_quality_framework` s on s.user_id = u.user_id and s.tenant_id = u.tenant_id
    where u.user_id in (SELECT * FROM `marts.retention_quality_framework__affected`)
),

-- Gaps and islands: consecutive days share (day_index - row number). An incremental build reads here only the
-- users active on each of the 31 days before the changes (or all of a backfill's), whose streak may reach further
-- back; the uncorrelated test is evaluated once, so with no such user the table is not read.
history as (
    select d.tenant_id, d.user_id, d.day_index - row_number() over (partition by d.user_id, d.tenant_id order by d.day_index) as island
    from `core.user_activity_days` d
    
    where exists (select 1 from users where longest_streak_days is null)
      and exists (select 1 from users u where u.longest_streak_days is null and u.user_id = d.user_id and u.tenant_id = d.tenant_id)
    
),
streaks as (
    
    select tenant_id, user_id, longest_streak_days from users where longest_streak_days is not null
    union all
    
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
    SAFE_DIVIDE(u.active_days, u.last_active_date - u.first_active_date + 1) as activity_rate,
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
) AS incoming
WHERE incoming.user_id in (SELECT * FROM `marts.retention_quality_framework__affected`)
) AS incoming
ON FALSE
WHEN NOT MATCHED BY SOURCE AND existing.user_id in (SELECT * FROM `marts.retention_quality_framework__affected`) THEN DELETE
WHEN NOT MATCHED THEN INSERT ROW
