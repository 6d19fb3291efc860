delete from "marts"."growth_metrics" as existing where existing.date in (date '2025-03-01', date '2025-03-02');
insert into "marts"."growth_metrics"
select * from (
-- Each affected day counts its 7- and 28-day windows directly: a few days of user-days each.
with windows as (
    select
        g.period_index,
        count(distinct a.user_id) filter (where a.day_index > g.period_index - 7) as wau,
        count(distinct a.user_id) as mau
    from "core"."growth_accounting" g
    left join "core"."user_activity_days" a
        on a.activity_date <= g.period_start and a.activity_date >= ((g.period_start)::date + (-27))
    where g.grain = 'day' and g.period_start in (date '2025-03-01', date '2025-03-02')
    group by g.period_index
),
rolling as (
    select period_index, (wau)::numeric as wau, (mau)::numeric as mau from windows
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
    g.churned_users
from "core"."growth_accounting" g
join rolling r using (period_index)
where g.grain = 'day'
and g.period_start in (date '2025-03-01', date '2025-03-02')
) as incoming
where incoming.date in (date '2025-03-01', date '2025-03-02')
