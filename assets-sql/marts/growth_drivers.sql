/*
description: >
  Per (tenant, date, platform, utm_source, country): events, active users and miles by the events' own attributes, and
  new users (whose first active day is date) counted under their first-touch attributes. A missing attribute is
  shown as 'unknown'.
# Incremental by day: the days the new loads have events in, and, for a user whose new event is earlier than their
# first, the day they were new on before (they move to another day's new users).
materialization: incremental
partition_by: date
lookback: 3 days
affected: |
  with changed_rows as (
      select coalesce(tenant_id, 'default') as tenant_id, user_id, {{ utc_date(event_time) }} as d from {{ changed('raw_events') }} as changed_rows
  ),
  changed_days as (
      select distinct d from changed_rows
  ),
  earliest as (
      select tenant_id, user_id, min(d) as d from changed_rows group by tenant_id, user_id
  ),
  -- A user active before their earliest new event kept their first day: one index probe each, as a scalar subquery
  -- (PostgreSQL made a `not exists` a hash anti-join over every user-day: 1.2-1.3 s at 10 M events, 0.36 s probing).
  moved as (
      select e.tenant_id, e.user_id from earliest e
      where (select min(u.activity_date) from {{ ref('user_activity_days') }} u
             where u.user_id = e.user_id and u.tenant_id = e.tenant_id and u.activity_date < e.d) is null
  )
  select d from changed_days
  union all
  -- For the others, the day they were new on before is their first day without a new event (when it had new ones
  -- too, it is a changed day already, and the day found is one more to rebuild, which costs only time).
  select (select min(u.activity_date) from {{ ref('user_activity_days') }} u
          where u.user_id = m.user_id and u.tenant_id = m.tenant_id and u.activity_date not in (select d from changed_days))
  from moved m
*/
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
        {{ cast(count(*), numeric) }} as events,
        count(distinct user_id) as active_users,
        coalesce({{ sum_if(miles_amount, event_type = 'miles_earned') }}, 0) as miles_earned,
        coalesce({{ sum_if(miles_amount, event_type = 'miles_redeemed') }}, 0) as miles_redeemed
    from {{ ref('fct_events') }}
    {% if is_incremental() %}where event_date in {{ affected() }}{% endif %}
    group by 1, 2, 3, 4, 5
),
newcomers as (
    select
        tenant_id,
        {{ utc_date(first_event_at) }} as date,
        coalesce(first_platform, 'unknown') as platform,
        coalesce(first_utm_source, 'unknown') as utm_source,
        coalesce(first_country, 'unknown') as country,
        count(*) as new_users
    from {{ ref('dim_users') }}
    {% if is_incremental() %}where {{ utc_date(first_event_at) }} in {{ affected() }}{% endif %}
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
