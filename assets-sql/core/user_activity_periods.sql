/*
description: >
  Each user's active weeks (ISO, Monday start) and months, with an integer period_index (consecutive periods
  differ by 1) so growth accounting compares integers, not dates. The day grain is user_activity_days itself.
# Incremental by adding what is new: a user's week or month is a row once any of its days is active, and a new
# load only adds active days, so a run inserts the weeks and months of the changed days' users that are not rows
# yet (insert_new on the whole key), instead of rewriting the current month's rows of every user. A backfill (and
# an erasure's rebuild) replaces its period starts, read from the days from the earliest one on.
materialization: incremental
partition_by: period_start
incremental_strategy: insert_new
unique_key: [tenant_id, grain, user_id]
lookback: 31 days
affected: |
  with days as (select distinct {{ utc_date(event_time) }} as d from {{ changed('raw_events') }} as changed_rows)
  select d from days
  union all
  select {{ date_trunc('week', d) }} from days
  union all
  select {{ date_trunc('month', d) }} from days
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
    {% if is_incremental() %}where (not {{ is_backfill() }} and activity_date in {{ affected() }}) or ({{ is_backfill() }} and activity_date >= {{ affected_start() }}){% endif %}
) weeks
union all
select tenant_id, 'month', user_id, {{ date_diff('month', date '1970-01-01', month_start) }}, month_start
from (
    select distinct tenant_id, user_id, {{ date_trunc('month', activity_date) }} as month_start
    from {{ ref('user_activity_days') }}
    {% if is_incremental() %}where (not {{ is_backfill() }} and activity_date in {{ affected() }}) or ({{ is_backfill() }} and activity_date >= {{ affected_start() }}){% endif %}
) months
