CREATE OR REPLACE ROW ACCESS POLICY tenant_acme_822b33ad ON `proj.core.cohort_activity`
GRANT TO ("group:acme-analysts@example.com")
FILTER USING (tenant_id = "acme");

CREATE OR REPLACE ROW ACCESS POLICY tenant_globex_5bc1a08d ON `proj.core.cohort_activity`
GRANT TO ("user:ana@example.com", "user:bo@example.com")
FILTER USING (tenant_id = "globex");

CREATE OR REPLACE ROW ACCESS POLICY all_tenants ON `proj.core.cohort_activity`
GRANT TO ("serviceAccount:analytics@proj.iam.gserviceaccount.com")
FILTER USING (TRUE);
