MERGE `core.growth_accounting` AS existing
USING (
SELECT * FROM (
-- The affected periods of each grain within its series (first to last active period), each active user's previous
-- period found through the (user, period) indexes, and churn from the period before: recomputed if it is affected
-- too, else as this table holds it (an unaffected period's count has not changed).
with bounds as (
    select first_day, last_day, DATE_DIFF(DATE(last_day), DATE(first_day), DAY) as span_days
    from (select min(activity_date) as first_day, max(activity_date) as last_day from `core.user_activity_days`) as days
),
calendar as (
    select DATE_ADD(DATE(b.first_day), INTERVAL (offset_days) DAY) as period_start
    from bounds b CROSS JOIN UNNEST(GENERATE_ARRAY(-40, b.span_days)) AS offset_days
),
targets as (
    select 'day' as grain, c.period_start, DATE_DIFF(DATE(c.period_start), DATE(date '1970-01-01'), DAY) as period_index
    from calendar c, bounds b
    where c.period_start in (date '2025-03-01', date '2025-03-02') and c.period_start >= b.first_day
    union all
    select 'week', c.period_start, DATE_DIFF(DATE(c.period_start), DATE(date '1970-01-05'), ISOWEEK)
    from calendar c, bounds b
    where c.period_start in (date '2025-03-01', date '2025-03-02') and c.period_start = DATE_TRUNC(DATE(c.period_start), ISOWEEK)
      and c.period_start >= DATE_TRUNC(DATE(b.first_day), ISOWEEK)
    union all
    select 'month', c.period_start, DATE_DIFF(DATE(c.period_start), DATE(date '1970-01-01'), MONTH)
    from calendar c, bounds b
    where c.period_start in (date '2025-03-01', date '2025-03-02') and c.period_start = DATE_TRUNC(DATE(c.period_start), MONTH)
      and c.period_start >= DATE_TRUNC(DATE(b.first_day), MONTH)
),
active as (
    select t.grain, t.period_index,
        (select max(prev.day_index) from `core.user_activity_days` prev
         where prev.user_id = a.user_id and prev.activity_date < t.period_start) as previous_index
    from targets t
    join `core.user_activity_days` a on a.activity_date = t.period_start
    where t.grain = 'day'
    union all
    select t.grain, t.period_index,
        (select max(prev.period_index) from `core.user_activity_periods` prev
         where prev.user_id = a.user_id and prev.grain = t.grain and prev.period_start < t.period_start)
    from targets t
    join `core.user_activity_periods` a on a.period_start = t.period_start and a.grain = t.grain
),
flows as (
    select
        grain,
        period_index,
        count(*) as active_users,
        COUNTIF(previous_index is null) as new_users,
        COUNTIF(previous_index = period_index - 1) as retained_users,
        COUNTIF(previous_index < period_index - 1) as resurrected_users
    from active
    group by grain, period_index
)
select
    t.grain,
    t.period_index,
    t.period_start,
    coalesce(f.active_users, 0) as active_users,
    coalesce(f.new_users, 0) as new_users,
    coalesce(f.retained_users, 0) as retained_users,
    coalesce(f.resurrected_users, 0) as resurrected_users,
    case when before.grain is null then coalesce(old.active_users, 0) else coalesce(previous.active_users, 0) end
        - coalesce(f.retained_users, 0) as churned_users
from targets t
left join flows f on f.grain = t.grain and f.period_index = t.period_index
left join targets before on before.grain = t.grain and before.period_index = t.period_index - 1
left join flows previous on previous.grain = t.grain and previous.period_index = t.period_index - 1
left join `core.growth_accounting` old on old.grain = t.grain and old.period_index = t.period_index - 1
) AS incoming
WHERE incoming.period_start in (date '2025-03-01', date '2025-03-02')
) AS incoming
ON FALSE
WHEN NOT MATCHED BY SOURCE AND existing.period_start in (date '2025-03-01', date '2025-03-02') THEN DELETE
WHEN NOT MATCHED THEN INSERT ROW
