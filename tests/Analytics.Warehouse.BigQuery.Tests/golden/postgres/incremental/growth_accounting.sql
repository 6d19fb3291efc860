create temporary table analytics_incoming on commit drop as
select * from (
with bounds as (
    select (date_trunc('week', (m)::timestamp)::date) as t0
    from (select (date_trunc('month', (s)::timestamp)::date) as m from (select date '2025-03-01' as s) as affected) as affected_month
),
recent_days as (
    select u.tenant_id, u.user_id, u.activity_date
    from "core"."user_activity_days" u
    cross join bounds
    where u.activity_date >= bounds.t0
),
-- Each rebuilt user's days from the last one before t0 on: every grain's previous period is then among them.
user_days as (
    select tenant_id, user_id, activity_date from recent_days
    union all
    select tenant_id, user_id, last_before
    from (
        select
            r.tenant_id,
            r.user_id,
            (select max(p.activity_date) from "core"."user_activity_days" p
             where p.user_id = r.user_id and p.tenant_id = r.tenant_id and p.activity_date < b.t0) as last_before
        from (select distinct tenant_id, user_id from recent_days) r
        cross join bounds b
    ) probed
    where last_before is not null
),
periods as (
    select
        tenant_id,
        grain,
        period_index,
        period_start,
        lag(period_index) over (partition by user_id, tenant_id, grain order by period_index) as previous_index
    from (
        select tenant_id, 'day' as grain, user_id, (((activity_date)::date - (date '1970-01-01')::date)) as period_index, activity_date as period_start
        from user_days
        union all
        select tenant_id, 'week', user_id, (((date_trunc('week', (week_start)::timestamp)::date) - (date_trunc('week', (date '1970-01-05')::timestamp)::date)) / 7), week_start
        from (select distinct tenant_id, user_id, (date_trunc('week', (activity_date)::timestamp)::date) as week_start from user_days) weeks
        union all
        select tenant_id, 'month', user_id, (((extract(year from (month_start)::date) - extract(year from (date '1970-01-01')::date)) * 12 + extract(month from (month_start)::date) - extract(month from (date '1970-01-01')::date))::int), month_start
        from (select distinct tenant_id, user_id, (date_trunc('month', (activity_date)::timestamp)::date) as month_start from user_days) months
    ) all_grains
),
rebuilt as (
    select p.tenant_id, p.grain, p.period_index, p.previous_index
    from periods p
    cross join bounds
    where p.period_start >= bounds.t0
),
-- Each tenant's and grain's last period before t0, which the rebuilt series continues.
before as (
    select tenant_id, grain, period_index, active_users
    from (
        select
            g.tenant_id, g.grain, g.period_index, g.active_users,
            row_number() over (partition by g.tenant_id, g.grain order by g.period_index desc) as n
        from "core"."growth_accounting" g
        cross join bounds
        where g.period_start < bounds.t0
    ) latest
    where n = 1
),

flows as (
    select
        tenant_id,
        grain,
        period_index,
        count(*) as active_users,
        count(*) filter (where previous_index is null) as new_users,
        count(*) filter (where previous_index = period_index - 1) as retained_users,
        count(*) filter (where previous_index < period_index - 1) as resurrected_users
    from rebuilt
    group by tenant_id, grain, period_index
),

-- Contiguous from each tenant's first period (or the one after its last before t0) to its last.
series as (
    select spans.tenant_id, spans.grain, period_index
    from (
        select f.tenant_id, f.grain, coalesce(max(b.period_index) + 1, min(f.period_index)) as first_index, max(f.period_index) as last_index
        from flows f
        left join before b on b.tenant_id = f.tenant_id and b.grain = f.grain
        group by f.tenant_id, f.grain
    ) spans
    cross join lateral generate_series(spans.first_index, spans.last_index) as period_index_series(period_index)
),
accounted as (
    select
        s.tenant_id,
        s.grain,
        s.period_index,
        coalesce(f.active_users, 0) as active_users,
        coalesce(f.new_users, 0) as new_users,
        coalesce(f.retained_users, 0) as retained_users,
        coalesce(f.resurrected_users, 0) as resurrected_users
    from series s
    left join flows f using (tenant_id, grain, period_index)
)
select
    a.tenant_id,
    a.grain,
    a.period_index,
    case a.grain
        when 'day' then ((date '1970-01-01')::date + (a.period_index))
        when 'week' then ((date '1970-01-05')::date + 7 * (a.period_index))
        else (((date '1970-01-01')::date + make_interval(months => (a.period_index)))::date)
    end as period_start,
    a.active_users,
    a.new_users,
    a.retained_users,
    a.resurrected_users,
    -- Churned in t: active in t-1 and not in t, that is active in t-1 less those retained into t. Counting it this
    -- way needs no lead() and no second pass over the 6 M periods (18.6 s to 5.7 s at 10 M events).
    coalesce(lag(a.active_users) over (partition by a.tenant_id, a.grain order by a.period_index), b.active_users, 0) - a.retained_users as churned_users
from accounted a
left join before b on b.tenant_id = a.tenant_id and b.grain = a.grain and b.period_index = a.period_index - 1
) as incoming
where incoming.period_start in (date '2025-03-01', date '2025-03-02');
delete from "core"."growth_accounting" as existing where existing.period_start in (date '2025-03-01', date '2025-03-02');
insert into "core"."growth_accounting"
select * from analytics_incoming
