CREATE OR REPLACE TABLE `core.dim_users__affected` AS
SELECT DISTINCT * FROM (
(select distinct user_id from (select * from `raw.raw_events` where file_id > 40 and file_id <= 42) as changed_rows)
) AS affected;
MERGE `core.dim_users` AS existing
USING (
SELECT * FROM (
with
-- The events this build adds: those the new loads brought into stg_events (a duplicate of an earlier event was not
-- kept there, so it is not counted twice), found as the changed rows themselves, whose size the planner knows (it
-- takes stg_events' statistics on file_id, stale after an append, to mean no rows); on a backfill, every event of
-- its users.
batch as (
    select s.user_id, s.tenant_id, s.event_date, s.event_time, s.event_type, s.miles_amount, s.platform, s.utm_source, s.country, s.file_id, s.line_number
    from `staging.stg_events` s
    where not false and s.event_date in (date '2025-03-01', date '2025-03-02')
      and exists (select 1 from (select * from `raw.raw_events` where file_id > 40 and file_id <= 42) as c where c.file_id = s.file_id and c.line_number = s.line_number)
    union all
    select user_id, tenant_id, event_date, event_time, event_type, miles_amount, platform, utm_source, country, file_id, line_number
    from `staging.stg_events`
    where false and user_id in (SELECT * FROM `core.dim_users__affected`)
),
batch_days as (
    select
        b.user_id,
        b.tenant_id,
        b.event_date,
        min(b.event_time) as first_at,
        max(b.event_time) as last_at,
        count(*) as events,
        SUM(IF(b.event_type = 'miles_earned', b.miles_amount, NULL)) as miles_earned,
        SUM(IF(b.event_type = 'miles_redeemed', b.miles_amount, NULL)) as miles_redeemed
    from batch b
    group by b.user_id, b.tenant_id, b.event_date
),
-- A day is new unless one of the user's earlier events fell on it.
earlier_days as (
    select distinct o.tenant_id, o.user_id, o.event_date
    from `staging.stg_events` o
    where not false and o.event_date in (date '2025-03-01', date '2025-03-02') and o.file_id <= 40
),
dated as (
    select d.*, e.user_id is null as new_day
    from batch_days d
    left join earlier_days e on e.tenant_id = d.tenant_id and e.user_id = d.user_id and e.event_date = d.event_date
),
batch_users as (
    select
        d.user_id,
        d.tenant_id,
        min(d.first_at) as first_event_at,
        max(d.last_at) as last_event_at,
        sum(d.events) as total_events,
        COUNTIF(d.new_day) as new_days,
        coalesce(sum(d.miles_earned), 0) as miles_earned,
        coalesce(sum(d.miles_redeemed), 0) as miles_redeemed
    from dated d
    group by d.user_id, d.tenant_id
),
-- The batch's earliest event per user, ingestion order breaking a tie: one sort of the batch.
batch_first_touch as (
    select 
        b.user_id,
        b.tenant_id,
        b.platform as first_platform,
        b.utm_source as first_utm_source,
        b.country as first_country
    from batch b
    QUALIFY ROW_NUMBER() OVER (PARTITION BY b.user_id, b.tenant_id ORDER BY b.event_time, b.file_id, b.line_number) = 1
),
merged as (
    select
        u.user_id,
        u.tenant_id,
        stored.user_id is not null and stored.first_event_at <= u.first_event_at as keeps_first_touch,
        least(u.first_event_at, coalesce(stored.first_event_at, u.first_event_at)) as first_event_at,
        greatest(u.last_event_at, coalesce(stored.last_event_at, u.last_event_at)) as last_event_at,
        u.total_events + coalesce(stored.total_events, 0) as total_events,
        u.new_days + coalesce(stored.active_days, 0) as active_days,
        u.miles_earned + coalesce(stored.miles_earned, 0) as miles_earned,
        u.miles_redeemed + coalesce(stored.miles_redeemed, 0) as miles_redeemed,
        stored.first_platform,
        stored.first_utm_source,
        stored.first_country
    from batch_users u
    left join `core.dim_users` stored on stored.user_id = u.user_id and stored.tenant_id = u.tenant_id and not false
),
-- A stored user the new loads did not touch in this tenant (a user id is replaced across its tenants) keeps its row.
untouched as (
    select s.*
    from `core.dim_users` s
    where not false and s.user_id in (SELECT * FROM `core.dim_users__affected`)
      and not exists (select 1 from batch_users u where u.user_id = s.user_id and u.tenant_id = s.tenant_id)
)
select
    m.user_id,
    m.first_event_at,
    m.last_event_at,
    case when m.keeps_first_touch then m.first_platform else f.first_platform end as first_platform,
    case when m.keeps_first_touch then m.first_utm_source else f.first_utm_source end as first_utm_source,
    case when m.keeps_first_touch then m.first_country else f.first_country end as first_country,
    m.total_events,
    m.active_days,
    m.miles_earned,
    m.miles_redeemed,
    m.miles_earned - m.miles_redeemed as miles_balance,
    m.tenant_id
from merged m
join batch_first_touch f using (user_id, tenant_id)
union all
select user_id, first_event_at, last_event_at, first_platform, first_utm_source, first_country, total_events, active_days,
       miles_earned, miles_redeemed, miles_balance, tenant_id
from untouched
) AS incoming
WHERE incoming.user_id in (SELECT * FROM `core.dim_users__affected`)
) AS incoming
ON FALSE
WHEN NOT MATCHED BY SOURCE AND existing.user_id in (SELECT * FROM `core.dim_users__affected`) THEN DELETE
WHEN NOT MATCHED THEN INSERT ROW
