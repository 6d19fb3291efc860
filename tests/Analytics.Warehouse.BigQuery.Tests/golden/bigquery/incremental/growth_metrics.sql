MERGE `marts.growth_metrics` AS existing
USING (
SELECT * FROM (
-- Each affected day counts its 7- and 28-day windows directly: a few days of user-days each.
with windows as (
    select
        g.period_index,
        COUNT(DISTINCT IF(a.day_index > g.period_index - 7, a.user_id, NULL)) as wau,
        count(distinct a.user_id) as mau
    from `core.growth_accounting` g
    left join `core.user_activity_days` a
        on a.activity_date <= g.period_start and a.activity_date >= DATE_ADD(DATE(g.period_start), INTERVAL (-27) DAY)
    where g.grain = 'day' and g.period_start in (date '2025-03-01', date '2025-03-02')
    group by g.period_index
),
rolling as (
    select period_index, CAST(wau AS NUMERIC) as wau, CAST(mau AS NUMERIC) as mau from windows
)

select
    g.period_start as date,
    g.active_users as dau,
    CAST(r.wau AS INT64) as wau,
    CAST(r.mau AS INT64) as mau,
    SAFE_DIVIDE(g.active_users, r.mau) as stickiness,
    g.new_users,
    g.retained_users,
    g.resurrected_users,
    g.churned_users
from `core.growth_accounting` g
join rolling r using (period_index)
where g.grain = 'day'
and g.period_start in (date '2025-03-01', date '2025-03-02')
) AS incoming
WHERE incoming.date in (date '2025-03-01', date '2025-03-02')
) AS incoming
ON FALSE
WHEN NOT MATCHED BY SOURCE AND existing.date in (date '2025-03-01', date '2025-03-02') THEN DELETE
WHEN NOT MATCHED THEN INSERT ROW
