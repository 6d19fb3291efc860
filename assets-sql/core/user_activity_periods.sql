/*
description: >
  Each user's active weeks (ISO, Monday start) and months, with an integer period_index (consecutive periods
  differ by 1) so growth accounting compares integers, not dates. The day grain is user_activity_days itself.
# Incremental by period start: a run rebuilds the weeks and months the new loads have events in, reading the
# days from the earliest of them on (an index range, where the truncated date alone scanned every day).
materialization: incremental
partition_by: period_start
lookback: 31 days
affected: |
  select {{ date_trunc('week', d) }} from (select distinct {{ utc_date(event_time) }} as d from {{ changed('raw_events') }} as changed_rows) as days
  union all
  select {{ date_trunc('month', d) }} from (select distinct {{ utc_date(event_time) }} as d from {{ changed('raw_events') }} as changed_rows) as days
tags: [core, intermediate]
owner: data-platform
# Personal data: masked (a keyed hash) for keys without the pii permission, and not granted to the Superset role.
classification: {user_id: pii}
checks:
  - not_null: [tenant_id, grain, user_id, period_index, period_start]
  # period_start and period_index name the same period; keyed on period_start, an incremental run checks only what it wrote.
  - unique: [tenant_id, grain, user_id, period_start]
  - accepted_values: {column: grain, values: [week, month]}
*/
select tenant_id, 'week' as grain, user_id, {{ date_diff('week', date '1970-01-05', week_start) }} as period_index, week_start as period_start
from (
    select distinct tenant_id, user_id, {{ date_trunc('week', activity_date) }} as week_start
    from {{ ref('user_activity_days') }}
    {% if is_incremental() %}where activity_date >= {{ affected_start() }} and {{ date_trunc('week', activity_date) }} in {{ affected() }}{% endif %}
) weeks
union all
select tenant_id, 'month', user_id, {{ date_diff('month', date '1970-01-01', month_start) }}, month_start
from (
    select distinct tenant_id, user_id, {{ date_trunc('month', activity_date) }} as month_start
    from {{ ref('user_activity_days') }}
    {% if is_incremental() %}where activity_date >= {{ affected_start() }} and {{ date_trunc('month', activity_date) }} in {{ affected() }}{% endif %}
) months
