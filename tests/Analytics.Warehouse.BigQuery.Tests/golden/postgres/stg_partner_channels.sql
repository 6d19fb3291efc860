select
    report_date,
    channel,
    topups,
    amount,
    fees,
    ((fees)::numeric / nullif((amount), 0)) as fee_rate,
    tenant_id
from (
    select
        r.report_date,
        r.channel,
        r.topups,
        r.amount,
        r.fees,
        coalesce(r.tenant_id, 'default') as tenant_id,
        row_number() over (
            partition by coalesce(r.tenant_id, 'default'), r.report_date, r.channel order by r.load_id desc, r.line_number desc) as version
    from "raw"."raw_partner_channels" as r
) as reported
where version = 1
