/*
description: >
  Quick ratio per week and month with the mean of the non-null quick ratios of this and the two previous periods,
  and a growth signal: no_churn when nothing churned, else shrinking (< 1), growing (1 to < 4), strong (>= 4).
# Kept a full table: it reads only social_capital_growth_accounting's few rows (about 70 a year, each averaged with
# the two before), so a rebuild takes milliseconds.
materialization: table
tags: [marts, growth]
owner: growth
checks:
  - not_null: [grain, period_start, growth_signal, tenant_id]
  - unique: [tenant_id, grain, period_start]
  - accepted_values: {column: growth_signal, values: [no_churn, shrinking, growing, strong]}
  - expression:
      name: quick_ratio_analysis__signal_matches_ratio
      sql: >
        case growth_signal
          when 'no_churn' then quick_ratio is null
          when 'shrinking' then quick_ratio < 1
          when 'growing' then quick_ratio >= 1 and quick_ratio < 4
          else quick_ratio >= 4
        end
*/
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
from {{ ref('social_capital_growth_accounting') }}
