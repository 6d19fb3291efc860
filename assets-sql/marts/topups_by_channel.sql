/*
description: >
  Succeeded top-ups per UTC day and channel: how many, their amount, the users who topped up, and the repeat top-up
  rate (the share of those users who had already topped up on an earlier day). Beside them, what the payment partner
  reported for the same day and channel (null until its report arrives), and the difference in count.
tags: [marts, topups]
owner: finance
checks:
  - not_null: [topup_date, channel, topups, amount, users, repeat_users, repeat_rate, tenant_id]
  - unique: [tenant_id, topup_date, channel]
  - expression:
      name: topups_by_channel__repeat_rate_is_a_share
      sql: repeat_rate between 0 and 1 and repeat_users <= users
*/
with succeeded as (
    select tenant_id, user_id, topup_date, channel, amount
    from {{ ref('stg_topups') }}
    where status = 'succeeded'
),
first_topup as (
    select tenant_id, user_id, min(topup_date) as first_topup_date
    from succeeded
    group by tenant_id, user_id
),
daily as (
    select
        s.tenant_id,
        s.topup_date,
        s.channel,
        count(*) as topups,
        sum(s.amount) as amount,
        count(distinct s.user_id) as users,
        {{ count_distinct_if(s.user_id, f.first_topup_date < s.topup_date) }} as repeat_users
    from succeeded as s
    join first_topup as f on f.tenant_id = s.tenant_id and f.user_id = s.user_id
    group by s.tenant_id, s.topup_date, s.channel
)
select
    d.topup_date,
    d.channel,
    d.topups,
    d.amount,
    d.users,
    d.repeat_users,
    {{ safe_divide(d.repeat_users, d.users) }} as repeat_rate,
    p.topups as partner_topups,
    p.amount as partner_amount,
    d.topups - p.topups as topups_difference,
    d.tenant_id
from daily as d
left join {{ ref('stg_partner_channels') }} as p
    on p.tenant_id = d.tenant_id and p.report_date = d.topup_date and p.channel = d.channel
