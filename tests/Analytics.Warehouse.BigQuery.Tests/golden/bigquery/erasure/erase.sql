INSERT INTO `proj.raw.erased_subjects` (subject_hash, erased_at)
SELECT @subject_hash, CURRENT_TIMESTAMP()
FROM UNNEST([1])
WHERE NOT EXISTS (SELECT 1 FROM `proj.raw.erased_subjects` WHERE subject_hash = @subject_hash);

DELETE FROM `proj.raw.raw_events`
WHERE user_id = @user_id
  AND (@tenant IS NULL OR COALESCE(tenant_id, 'default') = @tenant);

DELETE FROM `proj.raw.raw_topups`
WHERE user_id = @user_id
  AND (@tenant IS NULL OR COALESCE(tenant_id, 'default') = @tenant);

DELETE FROM `proj.raw.raw_users`
WHERE user_id = @user_id
  AND (@tenant IS NULL OR COALESCE(tenant_id, 'default') = @tenant);

DELETE FROM `proj.staging.stg_events`
WHERE user_id = @user_id
  AND (@tenant IS NULL OR COALESCE(tenant_id, 'default') = @tenant);

DELETE FROM `proj.snapshots.snap_users`
WHERE user_id = @user_id
  AND (@tenant IS NULL OR COALESCE(tenant_id, 'default') = @tenant);

DELETE FROM `proj.core.user_activity_days`
WHERE user_id = @user_id
  AND (@tenant IS NULL OR COALESCE(tenant_id, 'default') = @tenant);

DELETE FROM `proj.core.dim_users`
WHERE user_id = @user_id
  AND (@tenant IS NULL OR COALESCE(tenant_id, 'default') = @tenant);

DELETE FROM `proj.core.user_activity_periods`
WHERE user_id = @user_id
  AND (@tenant IS NULL OR COALESCE(tenant_id, 'default') = @tenant);

DELETE FROM `proj.marts.user_resurrection_analysis`
WHERE user_id = @user_id
  AND (@tenant IS NULL OR COALESCE(tenant_id, 'default') = @tenant);

DELETE FROM `proj.core.fct_events`
WHERE user_id = @user_id
  AND (@tenant IS NULL OR COALESCE(tenant_id, 'default') = @tenant);

DELETE FROM `proj.marts.retention_quality_framework`
WHERE user_id = @user_id
  AND (@tenant IS NULL OR COALESCE(tenant_id, 'default') = @tenant);

DELETE FROM `proj.marts.users_with_negative_miles`
WHERE user_id = @user_id
  AND (@tenant IS NULL OR COALESCE(tenant_id, 'default') = @tenant);

DELETE FROM `proj.raw.raw_events_rejected`
WHERE REGEXP_CONTAINS(raw_text, @word_pattern);

DELETE FROM `proj.raw.raw_topups_rejected`
WHERE REGEXP_CONTAINS(raw_text, @word_pattern);

DELETE FROM `proj.raw.raw_users_rejected`
WHERE REGEXP_CONTAINS(raw_text, @word_pattern);

SELECT table_name, column_name FROM `proj.raw.INFORMATION_SCHEMA.COLUMNS` WHERE data_type = 'STRING' ORDER BY table_name, column_name;

SELECT table_name, column_name FROM `proj.staging.INFORMATION_SCHEMA.COLUMNS` WHERE data_type = 'STRING' ORDER BY table_name, column_name;

SELECT table_name, column_name FROM `proj.snapshots.INFORMATION_SCHEMA.COLUMNS` WHERE data_type = 'STRING' ORDER BY table_name, column_name;

SELECT table_name, column_name FROM `proj.core.INFORMATION_SCHEMA.COLUMNS` WHERE data_type = 'STRING' ORDER BY table_name, column_name;

SELECT table_name, column_name FROM `proj.marts.INFORMATION_SCHEMA.COLUMNS` WHERE data_type = 'STRING' ORDER BY table_name, column_name;

SELECT COUNT(*) AS found FROM `proj.marts.TABLE` WHERE REGEXP_CONTAINS(COLUMN, @word_pattern) -- for each STRING column listed;
