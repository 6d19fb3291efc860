/*
description: >
  Weekly retention by first-touch channel: per dimension (utm_source, platform, country), the users whose
  first-touch value is dimension_value, and how many were active in week first_week + k, where first_week is
  each user's first active week. k runs from 0 to the last week of the series; zero cells are rows too.
  A missing first-touch value is 'unknown'.
# Kept a full table: each row pools every user of one first-touch value across all weekly cohorts, so a single
# new event re-opens groups that hold most users, and a new week adds a cell to every group; an incremental build
# would redo nearly all of it, with the risk and none of the saving.
materialization: table
tags: [marts, retention, growth]
owner: growth
checks:
  - not_null: [dimension, dimension_value, week_number, users, retained_users, retention_rate, tenant_id]
  - unique: [tenant_id, dimension, dimension_value, week_number]
  - accepted_values: {column: dimension, values: [utm_source, platform, country]}
  - expression:
      name: acquisition_channel_retention__rate_in_unit_interval
      sql: retention_rate between 0 and 1 and retained_users <= users
  - expression:
      name: acquisition_channel_retention__all_retained_at_week_zero
      sql: week_number <> 0 or retained_users = users
*/
with weeks as (
    select tenant_id, user_id, period_index, min(period_index) over (partition by user_id, tenant_id) as first_week
    from {{ ref('user_activity_periods') }}
    where grain = 'week'
),
touch as (
    select tenant_id, user_id, 'utm_source' as dimension, coalesce(first_utm_source, 'unknown') as dimension_value from {{ ref('dim_users') }}
    union all
    select tenant_id, user_id, 'platform', coalesce(first_platform, 'unknown') from {{ ref('dim_users') }}
    union all
    select tenant_id, user_id, 'country', coalesce(first_country, 'unknown') from {{ ref('dim_users') }}
),
cells as (
    select w.tenant_id, t.dimension, t.dimension_value, w.period_index - w.first_week as weeks_since_first, count(*) as retained_users
    from weeks w
    join touch t using (tenant_id, user_id)
    group by 1, 2, 3, 4
),
cohort_groups as (
    select tenant_id, dimension, dimension_value, retained_users as users
    from cells
    where weeks_since_first = 0
),
span as (
    select tenant_id, max(period_index) - min(period_index) as last_week_number
    from {{ ref('growth_accounting') }}
    where grain = 'week'
    group by tenant_id
)
select
    g.dimension,
    g.dimension_value,
    week_number,
    g.users,
    coalesce(c.retained_users, 0) as retained_users,
    {{ safe_divide(coalesce(c.retained_users, 0), g.users) }} as retention_rate,
    g.tenant_id
from cohort_groups g
join span s on s.tenant_id = g.tenant_id
{{ join_series(week_number, 0, s.last_week_number) }}
left join cells c on c.tenant_id = g.tenant_id and c.dimension = g.dimension and c.dimension_value = g.dimension_value and c.weeks_since_first = week_number
