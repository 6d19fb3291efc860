MERGE `core.growth_accounting` AS existing
USING (
SELECT * FROM (
-- d0 is the earliest changed day (on a backfill, the range's start); each grain rebuilds its periods from the one
-- holding d0, and the rows between the earliest affected partition and those (a grain's earlier periods, which
-- share period_start dates with the rebuilt ones) are kept as they were.
with starts as (
    select
        date '2025-03-01' as t0,
        coalesce(case when false then null else (select min(DATE(event_time, 'UTC')) from (select * from `raw.raw_events` where file_id > 40 and file_id <= 42) as c) end,
                 date '2025-03-01') as d0
),
bounds as (
    select
        t0, d0, w0, m0,
        DATE_DIFF(DATE(d0), DATE(date '1970-01-01'), DAY) as d_index,
        DATE_DIFF(DATE(w0), DATE(date '1970-01-05'), ISOWEEK) as w_index,
        DATE_DIFF(DATE(m0), DATE(date '1970-01-01'), MONTH) as m_index
    from (select t0, d0, DATE_TRUNC(DATE(d0), ISOWEEK) as w0, DATE_TRUNC(DATE(d0), MONTH) as m0 from starts) as s
),
-- Each grain's periods from the one before the one holding d0, by index range (one range per grain: an OR of them
-- would scan). The period before is read only so that lag() finds who was active in it.
recent as (
    select u.tenant_id, 'day' as grain, u.user_id, u.day_index as period_index
    from `core.user_activity_days` u
    cross join bounds b
    where u.activity_date >= DATE_ADD(DATE(b.d0), INTERVAL (-1) DAY)
    union all
    select p.tenant_id, p.grain, p.user_id, p.period_index
    from `core.user_activity_periods` p
    cross join bounds b
    where p.period_start >= DATE_ADD(DATE(b.w0), INTERVAL (-7) DAY) and p.grain = 'week'
    union all
    select p.tenant_id, p.grain, p.user_id, p.period_index
    from `core.user_activity_periods` p
    cross join bounds b
    where p.period_start >= DATE_ADD(DATE(b.m0), INTERVAL (-1) MONTH) and p.grain = 'month'
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
    select s.tenant_id, s.grain, s.period_index, case when DATE(u.first_event_at, 'UTC') < s.grain_start then s.period_index - 2 end
    from sequenced s
    join `core.dim_users` u on u.user_id = s.user_id and u.tenant_id = s.tenant_id
    where s.previous_in_range is null
),
-- Each tenant's and grain's last period before the grain's rebuilt ones, which the rebuilt series continues.
before as (
    select tenant_id, grain, period_index, active_users
    from (
        select
            g.tenant_id, g.grain, g.period_index, g.active_users,
            row_number() over (partition by g.tenant_id, g.grain order by g.period_index desc) as n
        from `core.growth_accounting` g
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
        COUNTIF(previous_index is null) as new_users,
        COUNTIF(previous_index = period_index - 1) as retained_users,
        COUNTIF(previous_index < period_index - 1) as resurrected_users
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
    CROSS JOIN UNNEST(GENERATE_ARRAY(spans.first_index, spans.last_index)) AS period_index
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
        when 'day' then DATE_ADD(DATE(date '1970-01-01'), INTERVAL (a.period_index) DAY)
        when 'week' then DATE_ADD(DATE(date '1970-01-05'), INTERVAL (a.period_index) WEEK)
        else DATE_ADD(DATE(date '1970-01-01'), INTERVAL (a.period_index) MONTH)
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
from `core.growth_accounting` g
cross join bounds b
where g.period_start >= b.t0 and g.period_start < case g.grain when 'day' then b.d0 when 'week' then b.w0 else b.m0 end
) AS incoming
WHERE incoming.period_start in (date '2025-03-01', date '2025-03-02')
) AS incoming
ON FALSE
WHEN NOT MATCHED BY SOURCE AND existing.period_start in (date '2025-03-01', date '2025-03-02') THEN DELETE
WHEN NOT MATCHED THEN INSERT ROW
