with versions as (
    select
        tenant_id,
        user_id,
        valid_from,
        case when is_deleted then 'deleted' else tier end as tier,
        lag(case when is_deleted then 'deleted' else tier end)
            over (partition by tenant_id, user_id order by valid_from) as from_tier
    from "snapshots"."snap_users"
),

ranked as (
    select
        tenant_id,
        user_id,
        (date_trunc('month', (valid_from)::timestamp)::date) as month,
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
