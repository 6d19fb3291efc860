CREATE TABLE IF NOT EXISTS `snapshots.snap_users` AS
select s.*, CAST(null AS TIMESTAMP) as valid_from, CAST(null AS TIMESTAMP) as valid_to, CAST(null AS BOOL) as is_current, CAST(null AS BOOL) as is_deleted, CAST(null AS STRING) as change_id, CAST(null AS INT64) as recorded_load, CAST(null AS INT64) as closed_load from (
select
    tenant_id,
    user_id,
    tier,
    country,
    signed_up_at,
    updated_at
from `staging.stg_users`
) as s where false;
MERGE `snapshots.snap_users` AS existing
USING (
WITH snapshot_source AS (
select
    tenant_id,
    user_id,
    tier,
    country,
    signed_up_at,
    updated_at
from `staging.stg_users`
),
changes AS (
select s.tenant_id, s.user_id, 'open' as snapshot_action, case when h.ended is null or s.updated_at > h.ended then s.updated_at else TIMESTAMP '2025-03-02 10:00:00.000000+00' end as snapshot_at, c.valid_from as snapshot_closes
from snapshot_source as s
left join (select * from `snapshots.snap_users` where is_current) as c on c.tenant_id = s.tenant_id and c.user_id = s.user_id
left join (select tenant_id, user_id, max(coalesce(valid_to, valid_from)) as ended from `snapshots.snap_users` group by tenant_id, user_id) as h on h.tenant_id = s.tenant_id and h.user_id = s.user_id
where c.tenant_id is null or c.is_deleted or (s.updated_at > c.updated_at)
union all
select c.tenant_id, c.user_id, 'delete' as snapshot_action, TIMESTAMP '2025-03-02 10:00:00.000000+00' as snapshot_at, c.valid_from as snapshot_closes
from `snapshots.snap_users` as c
where c.is_current and not c.is_deleted and not exists (select 1 from snapshot_source as s where s.tenant_id = c.tenant_id and s.user_id = c.user_id)
)
SELECT t.tenant_id, t.user_id, t.tier, t.country, t.signed_up_at, t.updated_at, ch.snapshot_at, ch.snapshot_closes, 'close' AS merge_action, FALSE AS merge_deleted
FROM changes AS ch JOIN `snapshots.snap_users` AS t ON t.tenant_id = ch.tenant_id AND t.user_id = ch.user_id AND t.is_current AND t.valid_from = ch.snapshot_closes
UNION ALL
SELECT s.tenant_id, s.user_id, s.tier, s.country, s.signed_up_at, s.updated_at, ch.snapshot_at, ch.snapshot_closes, 'open' AS merge_action, FALSE AS merge_deleted
FROM changes AS ch JOIN snapshot_source AS s ON s.tenant_id = ch.tenant_id AND s.user_id = ch.user_id WHERE ch.snapshot_action = 'open'
UNION ALL
SELECT t.tenant_id, t.user_id, t.tier, t.country, t.signed_up_at, t.updated_at, ch.snapshot_at, ch.snapshot_closes, 'open' AS merge_action, TRUE AS merge_deleted
FROM changes AS ch JOIN `snapshots.snap_users` AS t ON t.tenant_id = ch.tenant_id AND t.user_id = ch.user_id AND t.valid_from = ch.snapshot_closes WHERE ch.snapshot_action = 'delete'
) AS incoming
ON incoming.merge_action = 'close' AND existing.tenant_id = incoming.tenant_id AND existing.user_id = incoming.user_id AND existing.is_current AND existing.valid_from = incoming.snapshot_closes
WHEN MATCHED THEN UPDATE SET valid_to = incoming.snapshot_at, is_current = FALSE, closed_load = 42
WHEN NOT MATCHED AND incoming.merge_action = 'open' THEN INSERT (tenant_id, user_id, tier, country, signed_up_at, updated_at, valid_from, valid_to, is_current, is_deleted, change_id, recorded_load, closed_load)
VALUES (incoming.tenant_id, incoming.user_id, incoming.tier, incoming.country, incoming.signed_up_at, incoming.updated_at, incoming.snapshot_at, NULL, TRUE, incoming.merge_deleted, TO_HEX(MD5(CONCAT(CAST(incoming.tenant_id AS STRING), '|', CAST(incoming.user_id AS STRING), '|', CAST(UNIX_MICROS(incoming.snapshot_at) AS STRING)))), 42, NULL)
