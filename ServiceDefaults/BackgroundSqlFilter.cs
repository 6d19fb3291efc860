using System.Diagnostics;
using OpenTelemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Drops SQL spans that belong to no request, run or job: the workers' queue polls and heartbeats, several a second,
/// each its own trace. Exported, they would bury (and, in a bounded store such as the dashboard's, evict) the traces
/// a person looks for; SQL under a span in flight is kept.
/// </summary>
public sealed class BackgroundSqlFilter : BaseProcessor<Activity>
{
    public const string NpgsqlSource = "Npgsql";

    public override void OnEnd(Activity data)
    {
        if (data.ParentSpanId == default && data.Source.Name == NpgsqlSource)
        {
            data.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        }
    }
}
