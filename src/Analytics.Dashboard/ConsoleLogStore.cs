namespace Analytics.Dashboard;

/// <summary>A line a resource (or one of its replicas) wrote to stdout or stderr.</summary>
public sealed record ConsoleLine(long Sequence, DateTimeOffset Time, string Resource, string Replica, bool Error, string Text);

/// <summary>Every resource's console output, live and bounded in memory: the newest lines per replica are kept.</summary>
public sealed class ConsoleLogStore(int maxLinesPerReplica = 5_000, int maxLineLength = 8_192)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Queue<ConsoleLine>> _lines = new(StringComparer.Ordinal);
    private long _sequence;

    public void Add(string resource, string replica, string text, bool error = false)
    {
        if (text.Length > maxLineLength)
        {
            text = text[..maxLineLength] + " [line cut at " + maxLineLength + " characters]";
        }

        lock (_lock)
        {
            if (!_lines.TryGetValue(replica, out var queue))
            {
                _lines[replica] = queue = new Queue<ConsoleLine>();
            }

            queue.Enqueue(new ConsoleLine(++_sequence, DateTimeOffset.UtcNow, resource, replica, error, text));
            if (queue.Count > maxLinesPerReplica)
            {
                queue.Dequeue();
            }
        }
    }

    /// <summary>Lines after <paramref name="after"/> (a sequence number), oldest first, at most <paramref name="limit"/> of the newest.</summary>
    public IReadOnlyList<ConsoleLine> Read(string? resource, string? replica, string? search, long after, int limit)
    {
        lock (_lock)
        {
            return _lines.Values.SelectMany(q => q)
                .Where(l => l.Sequence > after && (resource is null || l.Resource == resource) && (replica is null || l.Replica == replica)
                            && (search is null || l.Text.Contains(search, StringComparison.OrdinalIgnoreCase)))
                .OrderBy(l => l.Sequence)
                .TakeLast(limit)
                .ToList();
        }
    }
}
