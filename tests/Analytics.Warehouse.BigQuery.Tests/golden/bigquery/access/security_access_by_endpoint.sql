CREATE OR REPLACE ROW ACCESS POLICY all_tenants ON `proj.marts.security_access_by_endpoint`
GRANT TO ("serviceAccount:analytics@proj.iam.gserviceaccount.com")
FILTER USING (TRUE);
