select
    grain,
    period_start,
    active_users,
    new_users,
    retained_users,
    resurrected_users,
    churned_users,
    ((new_users + resurrected_users)::numeric / nullif((churned_users), 0)) as quick_ratio,
    ((retained_users)::numeric / nullif((lag(active_users) over (partition by tenant_id, grain order by period_index)), 0)) as gross_retention,
    new_users + resurrected_users - churned_users as net_change,
    tenant_id
from "core"."growth_accounting"
where grain in ('week', 'month')
