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
    select
        t0, d0, w0, m0,
        (((d0)::date - (date '1970-01-01')::date)) as d_index,
        (((date_trunc('week', (w0)::timestamp)::date) - (date_trunc('week', (date '1970-01-05')::timestamp)::date)) / 7) as w_index,
        (((extract(year from (m0)::date) - extract(year from (date '1970-01-01')::date)) * 12 + extract(month from (m0)::date) - extract(month from (date '1970-01-01')::date))::int) as m_index
    from (select t0, d0, (date_trunc('week', (d0)::timestamp)::date) as w0, (date_trunc('month', (d0)::timestamp)::date) as m0 from starts) as s
),
-- Each grain's periods from the one before the one holding d0, by index range (one range per grain: an OR of them
-- would scan). The period before is read only so that lag() finds who was active in it.
recent as (
    select u.tenant_id, 'day' as grain, u.user_id, u.day_index as period_index
    from "core"."user_activity_days" u
    cross join bounds b
    where u.activity_date >= ((b.d0)::date + (-1))
    union all
    select p.tenant_id, p.grain, p.user_id, p.period_index
    from "core"."user_activity_periods" p
    cross join bounds b
    where p.period_start >= ((b.w0)::date + (-7)) and p.grain = 'week'
    union all
    select p.tenant_id, p.grain, p.user_id, p.period_index
    from "core"."user_activity_periods" p
    cross join bounds b
    where p.period_start >= (((b.m0)::date + make_interval(months => (-1)))::date) and p.grain = 'month'
),
sequenced as (
    select
        s.tenant_id, s.grain, s.user_id, s.period_index, s.previous_in_range,
        case s.grain when 'day' then b.d0 when 'week' then b.w0 else b.m0 end as grain_start
    from (
        select
            tenant_id, grain, user_id, period_index,
            lag(period_index) over (partition by user_id, tenant_id, grain order by period_index) as previous_in_range
        from recent
    ) s
    cross join bounds b
    where s.period_index >= case s.grain when 'day' then b.d_index when 'week' then b.w_index else b.m_index end
),
-- A rebuilt period with no active one before it in range (the period before the grain's first rebuilt one
-- included): resurrected when the user's first event (dim_users) is before the grain's start, new when it is not.
-- Only that distinction counts, so an earlier period stands for any before the last.
rebuilt as (
    select tenant_id, grain, period_index, previous_in_range as previous_index from sequenced where previous_in_range is not null
    union all
    select s.tenant_id, s.grain, s.period_index, case when ((u.first_event_at) at time zone 'UTC')::date < s.grain_start then s.period_index - 2 end
    from sequenced s
    join "core"."dim_users" u on u.user_id = s.user_id and u.tenant_id = s.tenant_id
    where s.previous_in_range is null
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
