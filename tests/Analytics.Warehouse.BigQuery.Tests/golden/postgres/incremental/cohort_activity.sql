create temporary table analytics_incoming on commit drop as
select * from (
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
where p.period_start >= date '2025-03-01'
group by 1, 2, 3, 4, 5, 6, 7, 8
) as incoming
where incoming.period_start in (date '2025-03-01', date '2025-03-02');
delete from "core"."cohort_activity" as existing where existing.period_start in (date '2025-03-01', date '2025-03-02')
and not exists (select 1 from analytics_incoming as incoming where existing.period_start = incoming.period_start and existing.tenant_id = incoming.tenant_id and existing.grain = incoming.grain and existing.cohort_index = incoming.cohort_index and existing.first_utm_source = incoming.first_utm_source and existing.first_platform = incoming.first_platform and existing.first_country = incoming.first_country and row(incoming.*)::text = row(existing.*)::text and (incoming.period_start, incoming.tenant_id, incoming.grain, incoming.cohort_index, incoming.first_utm_source, incoming.first_platform, incoming.first_country) not in (select period_start, tenant_id, grain, cohort_index, first_utm_source, first_platform, first_country from analytics_incoming group by period_start, tenant_id, grain, cohort_index, first_utm_source, first_platform, first_country having count(*) > 1));
insert into "core"."cohort_activity"
select * from analytics_incoming as incoming
where not exists (select 1 from "core"."cohort_activity" as existing where existing.period_start in (date '2025-03-01', date '2025-03-02') and existing.period_start = incoming.period_start and existing.tenant_id = incoming.tenant_id and existing.grain = incoming.grain and existing.cohort_index = incoming.cohort_index and existing.first_utm_source = incoming.first_utm_source and existing.first_platform = incoming.first_platform and existing.first_country = incoming.first_country)
