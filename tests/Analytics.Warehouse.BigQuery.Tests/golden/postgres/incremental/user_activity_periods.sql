insert into "core"."user_activity_periods"
select * from (
select tenant_id, 'week' as grain, user_id, (((date_trunc('week', (week_start)::timestamp)::date) - (date_trunc('week', (date '1970-01-05')::timestamp)::date)) / 7) as period_index, week_start as period_start
from (
    select distinct tenant_id, user_id, (date_trunc('week', (activity_date)::timestamp)::date) as week_start
    from "core"."user_activity_days"
    where (not false and activity_date in (date '2025-03-01', date '2025-03-02')) or (false and activity_date >= date '2025-03-01')
) weeks
union all
select tenant_id, 'month', user_id, (((extract(year from (month_start)::date) - extract(year from (date '1970-01-01')::date)) * 12 + extract(month from (month_start)::date) - extract(month from (date '1970-01-01')::date))::int), month_start
from (
    select distinct tenant_id, user_id, (date_trunc('month', (activity_date)::timestamp)::date) as month_start
    from "core"."user_activity_days"
    where (not false and activity_date in (date '2025-03-01', date '2025-03-02')) or (false and activity_date >= date '2025-03-01')
) months
) as incoming
where not exists (select 1 from "core"."user_activity_periods" as existing where existing.tenant_id = incoming.tenant_id and existing.grain = incoming.grain and existing.user_id = incoming.user_id and existing.period_start = incoming.period_start and existing.period_start in (date '2025-03-01', date '2025-03-02')) and incoming.period_start in (date '2025-03-01', date '2025-03-02')
