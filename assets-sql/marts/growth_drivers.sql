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
      select distinct {{ utc_date(event_time) }} as d from {{ changed('raw_events') }} as changed_rows
  ),
  -- The new events as stg_events kept them, per user and day (found as the changed rows, whose size the planner knows).
  added as (
      select s.tenant_id, s.user_id, s.event_date as d, count(*) as events from {{ ref('stg_events') }} s
      where s.event_date in (select d from changed_rows)
        and exists (select 1 from {{ changed('raw_events') }} as c where c.file_id = s.file_id and c.line_number = s.line_number)
      group by s.tenant_id, s.user_id, s.event_date
  ),
  earliest as (
      select tenant_id, user_id, min(d) as d from added group by tenant_id, user_id
  ),
  -- A user active before their earliest new event kept their first day (one index probe each). For the others, the
  -- first day that holds more events than the new ones had an earlier load's event: the day they were new on before.
  moved as (
      select e.tenant_id, e.user_id from earliest e
      where not exists (select 1 from {{ ref('user_activity_days') }} u
                        where u.user_id = e.user_id and u.tenant_id = e.tenant_id and u.activity_date < e.d)
  )
  select distinct d from changed_rows
  union all
  select min(u.activity_date)
  from moved m
  join {{ ref('user_activity_days') }} u on u.user_id = m.user_id and u.tenant_id = m.tenant_id
  left join added a on a.tenant_id = u.tenant_id and a.user_id = u.user_id and a.d = u.activity_date
  where u.events > coalesce(a.events, 0)
  group by m.tenant_id, m.user_id
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
