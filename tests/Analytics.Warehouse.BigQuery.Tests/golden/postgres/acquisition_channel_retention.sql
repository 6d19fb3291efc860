with weeks as (
    select tenant_id, user_id, period_index, min(period_index) over (partition by user_id, tenant_id) as first_week
    from "core"."user_activity_periods"
    where grain = 'week'
),
touch as (
    select tenant_id, user_id, 'utm_source' as dimension, coalesce(first_utm_source, 'unknown') as dimension_value from "core"."dim_users"
    union all
    select tenant_id, user_id, 'platform', coalesce(first_platform, 'unknown') from "core"."dim_users"
    union all
    select tenant_id, user_id, 'country', coalesce(first_country, 'unknown') from "core"."dim_users"
),
cells as (
    select w.tenant_id, t.dimension, t.dimension_value, w.period_index - w.first_week as weeks_since_first, count(*) as retained_users
    from weeks w
    join touch t using (tenant_id, user_id)
    group by 1, 2, 3, 4
),
cohort_groups as (
    select tenant_id, dimension, dimension_value, retained_users as users
    from cells
    where weeks_since_first = 0
),
span as (
    select tenant_id, max(period_index) - min(period_index) as last_week_number
    from "core"."growth_accounting"
    where grain = 'week'
    group by tenant_id
)
select
    g.dimension,
    g.dimension_value,
    week_number,
    g.users,
    coalesce(c.retained_users, 0) as retained_users,
    ((coalesce(c.retained_users, 0))::numeric / nullif((g.users), 0)) as retention_rate,
    g.tenant_id
from cohort_groups g
join span s on s.tenant_id = g.tenant_id
cross join lateral generate_series(0, s.last_week_number) as week_number_series(week_number)
left join cells c on c.tenant_id = g.tenant_id and c.dimension = g.dimension and c.dimension_value = g.dimension_value and c.weeks_since_first = week_number
