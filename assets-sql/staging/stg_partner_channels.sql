/*
description: >
  The partner's reported top-ups per day and channel, the latest report's figures where a day was reported twice,
  with the fee rate (fees over amount), and tenant_id 'default' where the report names none.
materialization: view
tags: [staging, partner]
owner: finance
checks:
  - not_null: [report_date, channel, topups, amount, tenant_id]
  - unique: [tenant_id, report_date, channel]
*/
select
    report_date,
    channel,
    topups,
    amount,
    fees,
    {{ safe_divide(fees, amount) }} as fee_rate,
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
    from {{ ref('raw_partner_channels') }} as r
) as reported
where version = 1
