drop table if exists "marts"."user_resurrection_analysis__affected";
create unlogged table "marts"."user_resurrection_analysis__affected" as select distinct * from (
(select distinct user_id from (select * from "raw"."raw_events" where file_id > 40 and file_id <= 42) as changed_rows)
) as affected(affected_key);
create index on "marts"."user_resurrection_analysis__affected" (affected_key);
analyze "marts"."user_resurrection_analysis__affected";
create temporary table analytics_incoming on commit drop as
select * from (
with
recent as (
    select tenant_id, user_id, activity_date
    from "core"."user_activity_days"
    where user_id in (select * from "marts"."user_resurrection_analysis__affected") and (false or activity_date >= date '2025-03-01')
),
before as (
    select
        f.tenant_id,
        f.user_id,
        (select max(d.activity_date) from "core"."user_activity_days" d
         where d.user_id = f.user_id and d.tenant_id = f.tenant_id and d.activity_date < date '2025-03-01') as activity_date
    from (select distinct tenant_id, user_id from recent) f
    where not false
),
days as (
    select tenant_id, user_id, activity_date from recent
    union all
    select tenant_id, user_id, activity_date from before where activity_date is not null
)

select
    user_id,
    previous_active_date,
    activity_date as returned_date,
    activity_date - previous_active_date - 1 as dormant_days,
    case
        when activity_date - previous_active_date - 1 < 14 then 'short'
        when activity_date - previous_active_date - 1 < 30 then 'medium'
        when activity_date - previous_active_date - 1 < 60 then 'long'
        else 'very_long'
    end as dormancy_bucket,
    tenant_id
from (
    select tenant_id, user_id, activity_date, lag(activity_date) over (partition by user_id, tenant_id order by activity_date) as previous_active_date
    from days
) d
where activity_date - previous_active_date - 1 >= 7

union all
select user_id, previous_active_date, returned_date, dormant_days, dormancy_bucket, tenant_id
from "marts"."user_resurrection_analysis"
where not false and user_id in (select * from "marts"."user_resurrection_analysis__affected") and returned_date < date '2025-03-01'
) as incoming
where incoming.user_id in (select * from "marts"."user_resurrection_analysis__affected");
delete from "marts"."user_resurrection_analysis" as existing where existing.user_id in (select * from "marts"."user_resurrection_analysis__affected");
insert into "marts"."user_resurrection_analysis"
select * from analytics_incoming
