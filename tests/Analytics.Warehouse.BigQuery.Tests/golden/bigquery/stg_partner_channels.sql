select
    report_date,
    channel,
    topups,
    amount,
    fees,
    SAFE_DIVIDE(fees, amount) as fee_rate
from (
    select
        r.*,
        row_number() over (partition by report_date, channel order by load_id desc, line_number desc) as version
    from `raw.raw_partner_channels` as r
) as reported
where version = 1
