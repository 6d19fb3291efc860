create temp table snapshot_incoming on commit drop as
select
    tenant_id,
    user_id,
    tier,
    country,
    signed_up_at,
    updated_at
from "staging"."stg_users";
select 'a null in the unique_key (tenant_id, user_id)' as problem, count(*) as row_count, '' as example from snapshot_incoming where tenant_id is null or user_id is null having count(*) > 0
union all
select 'a unique_key (tenant_id, user_id) on more than one row' as problem, count(*) as row_count, min(example) as example from (select (tenant_id)::text || ', ' || (user_id)::text as example from snapshot_incoming group by tenant_id, user_id having count(*) > 1) as duplicated having count(*) > 0
union all
select 'a null updated_at (updated_at)' as problem, count(*) as row_count, min((tenant_id)::text || ', ' || (user_id)::text) as example from snapshot_incoming where updated_at is null having count(*) > 0;
create temp table snapshot_changes on commit drop as
select s.tenant_id, s.user_id, 'open' as snapshot_action, case when h.ended is null or s.updated_at > h.ended then s.updated_at else timestamptz '2025-03-02 10:00:00.000000+00' end as snapshot_at, c.valid_from as snapshot_closes
from snapshot_incoming as s
left join (select * from "snapshots"."snap_users" where is_current) as c on c.tenant_id = s.tenant_id and c.user_id = s.user_id
left join (select tenant_id, user_id, max(coalesce(valid_to, valid_from)) as ended from "snapshots"."snap_users" group by tenant_id, user_id) as h on h.tenant_id = s.tenant_id and h.user_id = s.user_id
where c.tenant_id is null or c.is_deleted or (s.updated_at > c.updated_at)
union all
select c.tenant_id, c.user_id, 'delete' as snapshot_action, timestamptz '2025-03-02 10:00:00.000000+00' as snapshot_at, c.valid_from as snapshot_closes
from "snapshots"."snap_users" as c
where c.is_current and not c.is_deleted and not exists (select 1 from snapshot_incoming as s where s.tenant_id = c.tenant_id and s.user_id = c.user_id);
update "snapshots"."snap_users" as t set valid_to = ch.snapshot_at, is_current = false, closed_load = 42
from snapshot_changes as ch where t.tenant_id = ch.tenant_id and t.user_id = ch.user_id and t.is_current and t.valid_from = ch.snapshot_closes;
insert into "snapshots"."snap_users" (tenant_id, user_id, tier, country, signed_up_at, updated_at, valid_from, valid_to, is_current, is_deleted, change_id, recorded_load, closed_load)
select s.tenant_id, s.user_id, s.tier, s.country, s.signed_up_at, s.updated_at, ch.snapshot_at, (null)::timestamptz, true, false, md5(concat_ws('|', (ch.tenant_id)::text, (ch.user_id)::text, (extract(epoch from ch.snapshot_at) * 1000000)::bigint::text)), 42, (null)::bigint
from snapshot_changes as ch join snapshot_incoming as s on s.tenant_id = ch.tenant_id and s.user_id = ch.user_id where ch.snapshot_action = 'open';
insert into "snapshots"."snap_users" (tenant_id, user_id, tier, country, signed_up_at, updated_at, valid_from, valid_to, is_current, is_deleted, change_id, recorded_load, closed_load)
select t.tenant_id, t.user_id, t.tier, t.country, t.signed_up_at, t.updated_at, ch.snapshot_at, (null)::timestamptz, true, true, md5(concat_ws('|', (ch.tenant_id)::text, (ch.user_id)::text, (extract(epoch from ch.snapshot_at) * 1000000)::bigint::text)), 42, (null)::bigint
from snapshot_changes as ch join "snapshots"."snap_users" as t on t.tenant_id = ch.tenant_id and t.user_id = ch.user_id and t.valid_from = ch.snapshot_closes where ch.snapshot_action = 'delete'
