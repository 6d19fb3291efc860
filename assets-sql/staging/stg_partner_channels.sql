/*
description: >
  The partner's reported top-ups per day and channel, the latest report's figures where a day was reported twice,
  with the fee rate (fees over amount).
materialization: view
tags: [staging, partner]
owner: finance
checks:
  - not_null: [report_date, channel, topups, amount]
  - unique: [report_date, channel]
*/
select
    report_date,
    channel,
    topups,
    amount,
    fees,
    {{ safe_divide(fees, amount) }} as fee_rate
from (
    select
        r.*,
        row_number() over (partition by report_date, channel order by load_id desc, line_number desc) as version
    from {{ ref('raw_partner_channels') }} as r
) as reported
where version = 1
