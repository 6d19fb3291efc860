/*
description: >
  Membership changes per month (UTC, of the change), by tier pair, from snap_users' history: an upgrade moves to a
  higher tier (basic < silver < gold < platinum), a downgrade to a lower paid one, and a churn leaves a paid tier for
  basic or leaves the app (a deleted version, to_tier 'deleted'). Versions that change only the country are no
  transition; a user's first version is none either. transitions counts changes, members the users who made them.
tags: [marts, membership]
owner: rewards
checks:
  - not_null: [month, tenant_id, from_tier, to_tier, transition, transitions, members]
  - unique: [tenant_id, month, from_tier, to_tier]
  - accepted_values: {column: transition, values: [upgrade, downgrade, churn]}
  - expression:
      name: membership_transitions__members_within_transitions
      sql: members >= 1 and members <= transitions
*/
with versions as (
    select
        tenant_id,
        user_id,
        valid_from,
        case when is_deleted then 'deleted' else tier end as tier,
        lag(case when is_deleted then 'deleted' else tier end)
            over (partition by tenant_id, user_id order by valid_from) as from_tier
    from {{ ref('snap_users') }}
),

ranked as (
    select
        tenant_id,
        user_id,
        {{ date_trunc('month', valid_from) }} as month,
        from_tier,
        tier as to_tier,
        case from_tier when 'basic' then 0 when 'silver' then 1 when 'gold' then 2 when 'platinum' then 3 end as from_rank,
        case tier when 'basic' then 0 when 'silver' then 1 when 'gold' then 2 when 'platinum' then 3 end as to_rank
    from versions
    -- A change of tier between live versions, or a live version followed by a delete.
    where from_tier is not null and from_tier <> 'deleted' and from_tier <> tier
)

select
    month,
    tenant_id,
    from_tier,
    to_tier,
    case
        when to_tier = 'deleted' then 'churn'
        when to_rank > from_rank then 'upgrade'
        when to_rank = 0 then 'churn'
        else 'downgrade'
    end as transition,
    count(*) as transitions,
    count(distinct user_id) as members
from ranked
group by month, tenant_id, from_tier, to_tier, from_rank, to_rank
