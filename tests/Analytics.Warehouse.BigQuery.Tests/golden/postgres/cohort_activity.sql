select
    p.tenant_id,
    p.grain,
    p.period_start,
    p.period_index,
    case p.grain
        when 'week' then (((date_trunc('week', (u.first_day)::timestamp)::date) - (date_trunc('week', (date '1970-01-05')::timestamp)::date)) / 7)
        else (((extract(year from (u.first_day)::date) - extract(year from (date '1970-01-01')::date)) * 12 + extract(month from (u.first_day)::date) - extract(month from (date '1970-01-01')::date))::int)
    end as cohort_index,
    coalesce(u.first_utm_source, 'unknown') as first_utm_source,
    coalesce(u.first_platform, 'unknown') as first_platform,
    coalesce(u.first_country, 'unknown') as first_country,
    count(*) as users
from "core"."user_activity_periods" p
join (select tenant_id, user_id, first_utm_source, first_platform, first_country, ((first_event_at) at time zone 'UTC')::date as first_day
      from "core"."dim_users") u
  on u.tenant_id = p.tenant_id and u.user_id = p.user_id

group by 1, 2, 3, 4, 5, 6, 7, 8
