select
    p.tenant_id,
    p.grain,
    p.period_start,
    p.period_index,
    case p.grain
        when 'week' then DATE_DIFF(DATE(u.first_day), DATE(date '1970-01-05'), ISOWEEK)
        else DATE_DIFF(DATE(u.first_day), DATE(date '1970-01-01'), MONTH)
    end as cohort_index,
    coalesce(u.first_utm_source, 'unknown') as first_utm_source,
    coalesce(u.first_platform, 'unknown') as first_platform,
    coalesce(u.first_country, 'unknown') as first_country,
    count(*) as users
from `core.user_activity_periods` p
join (select tenant_id, user_id, first_utm_source, first_platform, first_country, DATE(first_event_at, 'UTC') as first_day
      from `core.dim_users`) u
  on u.tenant_id = p.tenant_id and u.user_id = p.user_id

group by 1, 2, 3, 4, 5, 6, 7, 8
