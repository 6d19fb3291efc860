namespace Analytics.Orchestration;

/// <summary>Bound from the <c>Analytics:Worker</c> configuration section.</summary>
public sealed class WorkerOptions
{
    /// <summary>How often an idle worker looks for queued runs when no notification woke it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A running run whose worker has been silent this long is failed.</summary>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How many independent assets a run builds at once.</summary>
    public int Parallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Whether this worker fires the schedules of <c>assets-sql/schedules.yml</c> (<c>Analytics__Worker__Schedules</c>);
    /// off by default, on in the AppHost. Any number of workers may: each tick fires once.
    /// </summary>
    public bool Schedules { get; set; }

    /// <summary>How often a scheduling worker looks for due ticks.</summary>
    public TimeSpan ScheduleInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Whether this worker watches the landing folder (<c>Analytics__Worker__Sensor</c>); off by default, on in the
    /// AppHost. Any number may: one sweeps at a time.
    /// </summary>
    public bool Sensor { get; set; }

    /// <summary>How often a sensing worker sweeps the landing folder.</summary>
    public TimeSpan SensorInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether this worker evaluates <c>assets-sql/alerts.yml</c> and sends alerts (<c>Analytics__Worker__Alerts</c>);
    /// off by default, on in the AppHost. Any number may: one evaluates at a time, and each message is sent once.
    /// </summary>
    public bool Alerts { get; set; }

    /// <summary>
    /// Whether this worker applies the sources' declared retention every hour (<c>Analytics__Worker__Retention</c>); off by
    /// default, on in the AppHost. Any number may: one applies it at a time.
    /// </summary>
    public bool Retention { get; set; }

    /// <summary>Events of finished runs older than this are pruned.</summary>
    public TimeSpan EventRetention { get; set; } = TimeSpan.FromDays(30);
}
