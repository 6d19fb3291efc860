select
    grain,
    period_start,
    active_users,
    new_users,
    retained_users,
    resurrected_users,
    churned_users,
    SAFE_DIVIDE(new_users + resurrected_users, churned_users) as quick_ratio,
    SAFE_DIVIDE(retained_users, lag(active_users) over (partition by tenant_id, grain order by period_index)) as gross_retention,
    new_users + resurrected_users - churned_users as net_change,
    tenant_id
from `core.growth_accounting`
where grain in ('week', 'month')
