with succeeded as (
    select tenant_id, user_id, topup_date, channel, amount
    from "staging"."stg_topups"
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
        count(distinct s.user_id) filter (where f.first_topup_date < s.topup_date) as repeat_users
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
    ((d.repeat_users)::numeric / nullif((d.users), 0)) as repeat_rate,
    p.topups as partner_topups,
    p.amount as partner_amount,
    d.topups - p.topups as topups_difference,
    d.tenant_id
from daily as d
left join "staging"."stg_partner_channels" as p
    on p.tenant_id = d.tenant_id and p.report_date = d.topup_date and p.channel = d.channel
