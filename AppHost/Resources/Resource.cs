namespace AppHost.Resources;

/// <summary>A part of the distributed app, shaped like Aspire's resources: it starts, becomes ready, and stops.</summary>
public abstract class Resource(string name)
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name { get; } = name;

    public string State { get; protected set; } = "pending";

    /// <summary>Where a person reaches it, when it has an address.</summary>
    public virtual string? Url => null;

    public List<Resource> WaitsFor { get; } = [];

    public List<(string Name, Func<string?> Value)> Environment { get; } = [];

    /// <summary>Completes when the resource is ready for what depends on it; faults when it failed to start.</summary>
    public Task Ready => _ready.Task;

    public abstract Task StartAsync(AppRuntime runtime, CancellationToken cancellationToken);

    public virtual Task StopAsync() => Task.CompletedTask;

    public void MarkReady(string state)
    {
        State = state;
        _ready.TrySetResult();
    }

    public void MarkFailed(string state, Exception? error = null)
    {
        State = state;
        _ready.TrySetException(error ?? new InvalidOperationException($"{Name}: {state}"));
    }

    protected IEnumerable<KeyValuePair<string, string>> ResolvedEnvironment() =>
        Environment.Select(e => (e.Name, Value: e.Value())).Where(e => e.Value is not null).Select(e => KeyValuePair.Create(e.Name, e.Value!));
}
