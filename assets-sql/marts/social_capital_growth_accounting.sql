/*
description: >
  Social Capital growth accounting by week (ISO, Monday start) and month: active, new, retained, resurrected and
  churned users, quick ratio = (new + resurrected) / churned (null when nothing churned), gross retention =
  retained / previous active, and net change. Empty periods are rows of zeros.
# Kept a full table: it reads only growth_accounting's week and month rows (about 70 a year), so a rebuild takes
# milliseconds; growth_accounting, which it reads, is the incremental one.
materialization: table
tags: [marts, growth]
owner: growth
checks:
  - not_null: [grain, period_start, active_users, new_users, retained_users, resurrected_users, churned_users, net_change, tenant_id]
  - unique: [tenant_id, grain, period_start]
  - accepted_values: {column: grain, values: [week, month]}
  - expression:
      name: social_capital__active_is_new_retained_resurrected
      sql: active_users = new_users + retained_users + resurrected_users
  - expression:
      name: social_capital__quick_ratio_null_only_without_churn
      sql: (churned_users = 0) = (quick_ratio is null)
  - expression:
      name: social_capital__gross_retention_in_unit_interval
      sql: gross_retention is null or gross_retention between 0 and 1
  - query:
      name: social_capital__previous_active_is_retained_churned
      sql: >
        select * from (select tenant_id, grain, period_start, retained_users, churned_users,
                              lag(active_users) over (partition by tenant_id, grain order by period_start) as previous_active
                       from {{ this }}) p
        where previous_active <> retained_users + churned_users
  - query:
      name: social_capital__first_period_is_all_new
      sql: >
        select * from {{ this }} t
        where period_start = (select min(period_start) from {{ this }} f where f.tenant_id = t.tenant_id and f.grain = t.grain)
          and (new_users <> active_users or retained_users + resurrected_users + churned_users <> 0)
*/
select
    grain,
    period_start,
    active_users,
    new_users,
    retained_users,
    resurrected_users,
    churned_users,
    {{ safe_divide(new_users + resurrected_users, churned_users) }} as quick_ratio,
    {{ safe_divide(retained_users, lag(active_users) over (partition by tenant_id, grain order by period_index)) }} as gross_retention,
    new_users + resurrected_users - churned_users as net_change,
    tenant_id
from {{ ref('growth_accounting') }}
where grain in ('week', 'month')
