-- Summed from cohort_activity, which already counts each week's active users by cohort week and first-touch triple.
with triples as (
    select
        tenant_id,
        first_utm_source as utm_source,
        first_platform as platform,
        first_country as country,
        period_index - cohort_index as weeks_since_first,
        users as retained_users
    from "core"."cohort_activity"
    where grain = 'week'
),
cells as (
    select tenant_id, 'utm_source' as dimension, utm_source as dimension_value, weeks_since_first, (sum(retained_users))::bigint as retained_users
    from triples group by 1, 2, 3, 4
    union all
    select tenant_id, 'platform', platform, weeks_since_first, (sum(retained_users))::bigint from triples group by 1, 2, 3, 4
    union all
    select tenant_id, 'country', country, weeks_since_first, (sum(retained_users))::bigint from triples group by 1, 2, 3, 4
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
