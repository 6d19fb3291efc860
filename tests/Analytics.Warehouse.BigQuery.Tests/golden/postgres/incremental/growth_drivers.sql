delete from "marts"."growth_drivers" as existing where existing.date in (date '2025-03-01', date '2025-03-02');
insert into "marts"."growth_drivers"
select * from (
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
        (count(*))::numeric as events,
        count(distinct user_id) as active_users,
        coalesce(sum(miles_amount) filter (where event_type = 'miles_earned'), 0) as miles_earned,
        coalesce(sum(miles_amount) filter (where event_type = 'miles_redeemed'), 0) as miles_redeemed
    from "core"."fct_events"
    where event_date in (date '2025-03-01', date '2025-03-02')
    group by 1, 2, 3, 4, 5
),
newcomers as (
    select
        tenant_id,
        ((first_event_at) at time zone 'UTC')::date as date,
        coalesce(first_platform, 'unknown') as platform,
        coalesce(first_utm_source, 'unknown') as utm_source,
        coalesce(first_country, 'unknown') as country,
        count(*) as new_users
    from "core"."dim_users"
    where ((first_event_at) at time zone 'UTC')::date in (date '2025-03-01', date '2025-03-02')
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
) as incoming
where incoming.date in (date '2025-03-01', date '2025-03-02')
