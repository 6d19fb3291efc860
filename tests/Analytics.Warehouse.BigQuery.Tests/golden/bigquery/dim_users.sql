-- Per user from user_activity_days, which holds each (tenant, user, day) once with its first and last event, events
-- and miles: 3.9 M user-days grouped instead of 10 M events sorted (13 s alone at 10 M events, 8 s from the days).
with activity as (
    select
        user_id,
        tenant_id,
        min(first_at) as first_event_at,
        max(last_at) as last_event_at,
        sum(events) as total_events,
        count(*) as active_days,
        coalesce(sum(miles_earned), 0) as miles_earned,
        coalesce(sum(miles_redeemed), 0) as miles_redeemed
    from `core.user_activity_days`
    group by user_id, tenant_id
),
first_touch as (
    -- The user's earliest events (several when they share a timestamp); ingestion order breaks the tie. A
    -- semi-join, so the hash is built on the 277 k first timestamps and the events only probe it.
    select 
        s.user_id,
        s.tenant_id,
        s.platform as first_platform,
        s.utm_source as first_utm_source,
        s.country as first_country
    from `staging.stg_events` s
    where exists (select 1 from activity a where a.user_id = s.user_id and a.tenant_id = s.tenant_id and a.first_event_at = s.event_time)
    QUALIFY ROW_NUMBER() OVER (PARTITION BY s.user_id, s.tenant_id ORDER BY s.file_id, s.line_number) = 1
)
select
    a.user_id,
    a.first_event_at,
    a.last_event_at,
    f.first_platform,
    f.first_utm_source,
    f.first_country,
    a.total_events,
    a.active_days,
    a.miles_earned,
    a.miles_redeemed,
    a.miles_earned - a.miles_redeemed as miles_balance,
    a.tenant_id
from activity a
join first_touch f using (user_id, tenant_id)
