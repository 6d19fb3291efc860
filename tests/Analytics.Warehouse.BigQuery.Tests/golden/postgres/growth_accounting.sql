with periods as (
    select
        tenant_id,
        grain,
        period_index,
        -- user_id leads the partition key: sorting on the 3-valued grain first defeats PostgreSQL's abbreviated keys (3x slower).
        lag(period_index) over (partition by user_id, tenant_id, grain order by period_index) as previous_index
    from (
        select tenant_id, 'day' as grain, user_id, day_index as period_index from "core"."user_activity_days"
        union all
        select tenant_id, grain, user_id, period_index from "core"."user_activity_periods"
    ) all_grains
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
    from periods
    group by tenant_id, grain, period_index
),
series as (
    select bounds.tenant_id, bounds.grain, period_index
    from (select tenant_id, grain, min(period_index) as first_index, max(period_index) as last_index from flows group by tenant_id, grain) bounds
    cross join lateral generate_series(bounds.first_index, bounds.last_index) as period_index_series(period_index)
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
    tenant_id,
    grain,
    period_index,
    case grain
        when 'day' then ((date '1970-01-01')::date + (period_index))
        when 'week' then ((date '1970-01-05')::date + 7 * (period_index))
        else (((date '1970-01-01')::date + make_interval(months => (period_index)))::date)
    end as period_start,
    active_users,
    new_users,
    retained_users,
    resurrected_users,
    -- Churned in t: active in t-1 and not in t, that is active in t-1 less those retained into t. Counting it this
    -- way needs no lead() and no second pass over the 6 M periods (18.6 s to 5.7 s at 10 M events).
    coalesce(lag(active_users) over (partition by tenant_id, grain order by period_index), 0) - retained_users as churned_users
from accounted
