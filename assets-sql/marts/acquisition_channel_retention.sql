/*
description: >
  Weekly retention by first-touch channel: per dimension (utm_source, platform, country), the users whose
  first-touch value is dimension_value, and how many were active in week first_week + k, where first_week is
  each user's first active week. k runs from 0 to the last week of the series; zero cells are rows too.
  A missing first-touch value is 'unknown'.
# A full table, but a small one: each row pools every user of one first-touch value across all weekly cohorts (a
# single new event re-opens groups that hold most users), so it is summed again from cohort_activity (incremental
# by period), whose rows are already counts per cohort week and first-touch triple.
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
-- Summed from cohort_activity, which already counts each week's active users by cohort week and first-touch triple.
with triples as (
    select
        tenant_id,
        first_utm_source as utm_source,
        first_platform as platform,
        first_country as country,
        period_index - cohort_index as weeks_since_first,
        users as retained_users
    from {{ ref('cohort_activity') }}
    where grain = 'week'
),
cells as (
    select tenant_id, 'utm_source' as dimension, utm_source as dimension_value, weeks_since_first, {{ cast(sum(retained_users), bigint) }} as retained_users
    from triples group by 1, 2, 3, 4
    union all
    select tenant_id, 'platform', platform, weeks_since_first, {{ cast(sum(retained_users), bigint) }} from triples group by 1, 2, 3, 4
    union all
    select tenant_id, 'country', country, weeks_since_first, {{ cast(sum(retained_users), bigint) }} from triples group by 1, 2, 3, 4
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
