-- A user's cohort is the period of their first event (dim_users), the same events' first active period: each active
-- period is counted against it by one hash join instead of a sort of every user's periods for their minimum.
with firsts as (
    select
        tenant_id,
        user_id,
        (((date_trunc('week', (first_day)::timestamp)::date) - (date_trunc('week', (date '1970-01-05')::timestamp)::date)) / 7) as first_week,
        (((extract(year from (first_day)::date) - extract(year from (date '1970-01-01')::date)) * 12 + extract(month from (first_day)::date) - extract(month from (date '1970-01-01')::date))::int) as first_month
    from (select tenant_id, user_id, ((first_event_at) at time zone 'UTC')::date as first_day from "core"."dim_users") u
),
cells as (
    select
        p.tenant_id,
        p.grain,
        case p.grain when 'week' then f.first_week else f.first_month end as cohort_index,
        p.period_index - case p.grain when 'week' then f.first_week else f.first_month end as period_number,
        count(*) as retained_users
    from "core"."user_activity_periods" p
    join firsts f on f.tenant_id = p.tenant_id and f.user_id = p.user_id
    where p.grain in ('week', 'month')
    group by 1, 2, 3, 4
),
cohorts as (
    select tenant_id, grain, cohort_index, retained_users as cohort_size
    from cells
    where period_number = 0
),
last_period as (
    select tenant_id, grain, max(period_index) as last_index
    from "core"."growth_accounting"
    group by tenant_id, grain
),
grid as (
    select c.tenant_id, c.grain, c.cohort_index, c.cohort_size, period_number
    from cohorts c
    join last_period l on l.tenant_id = c.tenant_id and l.grain = c.grain
    cross join lateral generate_series(0, l.last_index - c.cohort_index) as period_number_series(period_number)
)
select
    g.grain as cohort_grain,
    -- growth_accounting already turns period indexes into dates; read them rather than derive them again.
    p.period_start as cohort_start,
    g.period_number,
    g.cohort_size,
    coalesce(c.retained_users, 0) as retained_users,
    ((coalesce(c.retained_users, 0))::numeric / nullif((g.cohort_size), 0)) as retention_rate,
    g.tenant_id
from grid g
join "core"."growth_accounting" p on p.tenant_id = g.tenant_id and p.grain = g.grain and p.period_index = g.cohort_index
left join cells c on c.tenant_id = g.tenant_id and c.grain = g.grain and c.cohort_index = g.cohort_index and c.period_number = g.period_number
