create temporary table analytics_incoming on commit drop as
select * from (
-- d0 is the earliest changed day (on a backfill, the range's start); each grain rebuilds its periods from the one
-- holding d0, and the rows between the earliest affected partition and those (a grain's earlier periods, which
-- share period_start dates with the rebuilt ones) are kept as they were.
with starts as (
    select
        date '2025-03-01' as t0,
        coalesce(case when false then null else (select min(((event_time) at time zone 'UTC')::date) from (select * from "raw"."raw_events" where file_id > 40 and file_id <= 42) as c) end,
                 date '2025-03-01') as d0
),
bounds as (
    select t0, d0, (date_trunc('week', (d0)::timestamp)::date) as w0, (date_trunc('month', (d0)::timestamp)::date) as m0 from starts
),
recent as (
    select u.tenant_id, 'day' as grain, u.user_id, u.day_index as period_index
    from "core"."user_activity_days" u
    cross join bounds b
    where u.activity_date >= b.d0
    union all
    select p.tenant_id, p.grain, p.user_id, p.period_index
    from "core"."user_activity_periods" p
    cross join bounds b
    where (p.grain = 'week' and p.period_start >= b.w0) or (p.grain = 'month' and p.period_start >= b.m0)
),
sequenced as (
    select
        tenant_id, grain, user_id, period_index,
        lag(period_index) over (partition by user_id, tenant_id, grain order by period_index) as previous_in_range
    from recent
),
-- A user's first rebuilt period of a grain: the one before is the grain's period of their last active day before the
-- grain's start (one index probe).
firsts as (
    select tenant_id, grain, user_id, period_index,
        (select max(d.activity_date) from "core"."user_activity_days" d
         where d.user_id = f.user_id and d.tenant_id = f.tenant_id
           and d.activity_date < case f.grain when 'day' then f.d0 when 'week' then f.w0 else f.m0 end) as last_day
    from (select s.*, b.d0, b.w0, b.m0 from sequenced s cross join bounds b where s.previous_in_range is null) f
),
rebuilt as (
    select tenant_id, grain, period_index, previous_in_range as previous_index from sequenced where previous_in_range is not null
    union all
    select tenant_id, grain, period_index,
        case grain
            when 'day' then (((last_day)::date - (date '1970-01-01')::date))
            when 'week' then (((date_trunc('week', (last_day)::timestamp)::date) - (date_trunc('week', (date '1970-01-05')::timestamp)::date)) / 7)
            else (((extract(year from (last_day)::date) - extract(year from (date '1970-01-01')::date)) * 12 + extract(month from (last_day)::date) - extract(month from (date '1970-01-01')::date))::int)
        end
    from firsts
),
-- Each tenant's and grain's last period before the grain's rebuilt ones, which the rebuilt series continues.
before as (
    select tenant_id, grain, period_index, active_users
    from (
        select
            g.tenant_id, g.grain, g.period_index, g.active_users,
            row_number() over (partition by g.tenant_id, g.grain order by g.period_index desc) as n
        from "core"."growth_accounting" g
        cross join bounds b
        where g.period_start < case g.grain when 'day' then b.d0 when 'week' then b.w0 else b.m0 end
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

union all
select g.tenant_id, g.grain, g.period_index, g.period_start, g.active_users, g.new_users, g.retained_users, g.resurrected_users, g.churned_users
from "core"."growth_accounting" g
cross join bounds b
where g.period_start >= b.t0 and g.period_start < case g.grain when 'day' then b.d0 when 'week' then b.w0 else b.m0 end
) as incoming
where incoming.period_start in (date '2025-03-01', date '2025-03-02');
delete from "core"."growth_accounting" as existing where existing.period_start in (date '2025-03-01', date '2025-03-02');
insert into "core"."growth_accounting"
select * from analytics_incoming
