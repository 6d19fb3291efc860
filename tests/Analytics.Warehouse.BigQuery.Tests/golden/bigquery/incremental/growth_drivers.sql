MERGE `marts.growth_drivers` AS existing
USING (
SELECT * FROM (
with activity as (
    -- One sorted aggregation with distinct users from the same sort: hashing every (cell, user) pair first held
    -- millions of groups at 10 M events and cost more.
    -- Event counts stay numeric, the type these columns had when they were sums of per-user counts.
    select
        tenant_id,
        event_date as date,
        coalesce(platform, 'unknown') as platform,
        coalesce(utm_source, 'unknown') as utm_source,
        coalesce(country, 'unknown') as country,
        CAST(count(*) AS NUMERIC) as events,
        count(distinct user_id) as active_users,
        coalesce(SUM(IF(event_type = 'miles_earned', miles_amount, NULL)), 0) as miles_earned,
        coalesce(SUM(IF(event_type = 'miles_redeemed', miles_amount, NULL)), 0) as miles_redeemed
    from `core.fct_events`
    where event_date in (date '2025-03-01', date '2025-03-02')
    group by 1, 2, 3, 4, 5
),
newcomers as (
    select
        tenant_id,
        DATE(first_event_at, 'UTC') as date,
        coalesce(first_platform, 'unknown') as platform,
        coalesce(first_utm_source, 'unknown') as utm_source,
        coalesce(first_country, 'unknown') as country,
        count(*) as new_users
    from `core.dim_users`
    where DATE(first_event_at, 'UTC') in (date '2025-03-01', date '2025-03-02')
    group by 1, 2, 3, 4, 5
)
select
    date,
    platform,
    utm_source,
    country,
    coalesce(a.events, 0) as events,
    coalesce(a.active_users, 0) as active_users,
    coalesce(n.new_users, 0) as new_users,
    coalesce(a.miles_earned, 0) as miles_earned,
    coalesce(a.miles_redeemed, 0) as miles_redeemed,
    tenant_id
from activity a
full join newcomers n using (tenant_id, date, platform, utm_source, country)
) AS incoming
WHERE incoming.date in (date '2025-03-01', date '2025-03-02')
) AS incoming
ON FALSE
WHEN NOT MATCHED BY SOURCE AND existing.date in (date '2025-03-01', date '2025-03-02') THEN DELETE
WHEN NOT MATCHED THEN INSERT ROW
