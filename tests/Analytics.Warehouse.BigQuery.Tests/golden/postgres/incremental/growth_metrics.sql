create temporary table analytics_incoming on commit drop as
select * from (
with

bounds as (
    select start as t0, ((start)::date + (-27)) as window_start from (select date '2025-03-01' as start) as affected
),

days as (
    select
        tenant_id,
        day_index as period_index,
        lag(day_index) over (partition by user_id, tenant_id order by day_index) as previous_index
    from "core"."user_activity_days"
    where activity_date >= (select window_start from bounds)
),
-- A user counts in WAU on [d, d+6] for each active day d; the part not already covered by the previous active
-- day starts at max(d, previous + 7). Summing +1/-1 at interval ends gives rolling distinct counts in one pass.
-- The +1s are counted per start day in one pass over the user-days (two grouping sets), so the window's rows
-- stream instead of being stored and read four times; each active day ends one interval, so the -1s at d+7 and
-- d+28 are that day's DAU, which growth_accounting already holds.
starts as (
    select tenant_id, wau_start, mau_start, count(*) as users
    from (
        select
            tenant_id,
            greatest(period_index, coalesce(previous_index + 7, period_index)) as wau_start,
            greatest(period_index, coalesce(previous_index + 28, period_index)) as mau_start
        from days
    ) as intervals
    group by grouping sets ((tenant_id, wau_start), (tenant_id, mau_start))
),
deltas as (
    select tenant_id, wau_start as day_index, users as wau_delta, 0 as mau_delta from starts where wau_start is not null
    union all
    select tenant_id, mau_start, 0, users from starts where mau_start is not null
    union all
    select tenant_id, period_index + 7, -active_users, 0 from "core"."growth_accounting" where grain = 'day' and period_start >= (select window_start from bounds)
    union all
    select tenant_id, period_index + 28, 0, -active_users from "core"."growth_accounting" where grain = 'day' and period_start >= (select window_start from bounds)
),
changes as (
    select tenant_id, day_index, sum(wau_delta) as wau_delta, sum(mau_delta) as mau_delta
    from deltas
    group by tenant_id, day_index
),
rolling as (
    select
        g.tenant_id,
        g.period_index,
        sum(coalesce(c.wau_delta, 0)) over (partition by g.tenant_id order by g.period_index) as wau,
        sum(coalesce(c.mau_delta, 0)) over (partition by g.tenant_id order by g.period_index) as mau
    from "core"."growth_accounting" g
    left join changes c on c.tenant_id = g.tenant_id and c.day_index = g.period_index
    where g.grain = 'day' and g.period_start >= (select window_start from bounds)
)
select
    g.period_start as date,
    g.active_users as dau,
    (r.wau)::bigint as wau,
    (r.mau)::bigint as mau,
    ((g.active_users)::numeric / nullif((r.mau), 0)) as stickiness,
    g.new_users,
    g.retained_users,
    g.resurrected_users,
    g.churned_users,
    g.tenant_id
from "core"."growth_accounting" g
join rolling r using (tenant_id, period_index)
where g.grain = 'day' and g.period_start >= (select t0 from bounds)
) as incoming
where incoming.date in (date '2025-03-01', date '2025-03-02');
delete from "marts"."growth_metrics" as existing where existing.date in (date '2025-03-01', date '2025-03-02')
and not exists (select 1 from analytics_incoming as incoming where existing.date = incoming.date and existing.tenant_id = incoming.tenant_id and row(incoming.*)::text = row(existing.*)::text and (incoming.date, incoming.tenant_id) not in (select date, tenant_id from analytics_incoming group by date, tenant_id having count(*) > 1));
insert into "marts"."growth_metrics"
select * from analytics_incoming as incoming
where not exists (select 1 from "marts"."growth_metrics" as existing where existing.date in (date '2025-03-01', date '2025-03-02') and existing.date = incoming.date and existing.tenant_id = incoming.tenant_id)
