CREATE OR REPLACE ROW ACCESS POLICY all_tenants ON `proj.marts.security_unused_keys`
GRANT TO ("serviceAccount:analytics@proj.iam.gserviceaccount.com")
FILTER USING (TRUE);
