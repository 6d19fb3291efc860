select
    grain,
    period_start,
    new_users,
    resurrected_users,
    churned_users,
    quick_ratio,
    avg(quick_ratio) over (partition by tenant_id, grain order by period_start rows between 2 preceding and current row) as quick_ratio_avg_3,
    case
        when churned_users = 0 then 'no_churn'
        when quick_ratio < 1 then 'shrinking'
        when quick_ratio < 4 then 'growing'
        else 'strong'
    end as growth_signal,
    tenant_id
from "marts"."social_capital_growth_accounting"
