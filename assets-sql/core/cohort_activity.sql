/*
description: >
  Active users per tenant, grain (week, month) and active period, by cohort (the same grain's period of the user's
  first event, from dim_users) and by the user's first-touch utm_source, platform and country ('unknown' when
  missing): the counts retention_cohorts and acquisition_channel_retention sum, so that neither joins every
  active period of every user to dim_users again on each run.
# Incremental by period start with affects_later: a change on day d adds active periods from d's week and month on,
# and can move a user's first event (and with it their cohort and first touch) only to a day of the change, so
# every row that can change has a period starting at or after the earliest affected one. Those periods are
# rebuilt from user_activity_periods by index range; the rows before them are kept.
materialization: incremental
partition_by: period_start
affects_later: true
lookback: 31 days
affected: |
  with days as (select distinct {{ utc_date(event_time) }} as d from {{ changed('raw_events') }} as changed_rows)
  select {{ date_trunc('week', d) }} from days
  union all
  select {{ date_trunc('month', d) }} from days
tags: [core, intermediate]
owner: growth
checks:
  - not_null: [tenant_id, grain, period_start, period_index, cohort_index, first_utm_source, first_platform, first_country, users]
  - unique: [tenant_id, grain, period_start, cohort_index, first_utm_source, first_platform, first_country]
  - accepted_values: {column: grain, values: [week, month]}
  - expression:
      name: cohort_activity__users_after_their_cohort
      sql: users > 0 and cohort_index <= period_index
*/
select
    p.tenant_id,
    p.grain,
    p.period_start,
    p.period_index,
    case p.grain
        when 'week' then {{ date_diff('week', date '1970-01-05', u.first_day) }}
        else {{ date_diff('month', date '1970-01-01', u.first_day) }}
    end as cohort_index,
    coalesce(u.first_utm_source, 'unknown') as first_utm_source,
    coalesce(u.first_platform, 'unknown') as first_platform,
    coalesce(u.first_country, 'unknown') as first_country,
    count(*) as users
from {{ ref('user_activity_periods') }} p
join (select tenant_id, user_id, first_utm_source, first_platform, first_country, {{ utc_date(first_event_at) }} as first_day
      from {{ ref('dim_users') }}) u
  on u.tenant_id = p.tenant_id and u.user_id = p.user_id
{% if is_incremental() %}where p.period_start >= {{ affected_start() }}{% endif %}
group by 1, 2, 3, 4, 5, 6, 7, 8
