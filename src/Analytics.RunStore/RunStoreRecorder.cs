using System.Text.Json;
using System.Text.Json.Serialization;
using Analytics.Core.Execution;
using Npgsql;
using NpgsqlTypes;

namespace Analytics.RunStore;

/// <summary>
/// Records a run as it happens: the run, its steps, the event log, materializations and check executions. A run
/// queued through <see cref="RunQueue"/> already has its rows; a run started directly (the CLI) gets them here.
/// </summary>
public sealed class RunStoreRecorder(NpgsqlDataSource dataSource, RunKind kind, string selection, string requestedBy) : IRunObserver
{
    public async Task RunStartedAsync(Guid runId, IReadOnlyList<string> plan, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(Command(
            """
            insert into runstore.runs (run_id, kind, selection, status, requested_by, worker, started_at, heartbeat_at)
            values ($1, $2, $3, 'running', $4, $5, now(), now())
            on conflict (run_id) do update set status = 'running', started_at = coalesce(runstore.runs.started_at, now())
            """,
            runId, WireName.Of(kind), selection, requestedBy, Worker));
        batch.BatchCommands.Add(Command(
            "insert into runstore.steps (run_id, asset_key, status, ordinal) select $1, p.key, 'queued', p.ordinal from unnest($2::text[]) with ordinality as p(key, ordinal) "
            + "on conflict do nothing", runId, plan.ToArray()));
        batch.BatchCommands.Add(EventCommand(runId, "run_started", null, $"{WireName.Of(kind)} {plan.Count} asset(s)", new { plan }));
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task StepStartedAsync(Guid runId, string assetKey, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(Command("update runstore.steps set status = 'running', started_at = now() where run_id = $1 and asset_key = $2", runId, assetKey));
        batch.BatchCommands.Add(EventCommand(runId, "step_started", assetKey, null, null));
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"notify {ChangesChannel}"));
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task StepWaitingAsync(Guid runId, string assetKey, string reason, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(Command("update runstore.steps set status = 'waiting' where run_id = $1 and asset_key = $2", runId, assetKey));
        batch.BatchCommands.Add(EventCommand(runId, "step_waiting", assetKey, reason, null));
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task CheckFinishedAsync(Guid runId, CheckResult check, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(Command(
            "insert into runstore.check_executions (run_id, asset_key, check_name, severity, passed, failing_rows, sample, error) values ($1, $2, $3, $4, $5, $6, $7, $8)",
            runId, check.AssetKey, check.Name, check.Severity.ToString().ToLowerInvariant(), check.Passed, check.FailingRows,
            Json(check.Sample), (object?)check.Error ?? DBNull.Value));
        batch.BatchCommands.Add(EventCommand(runId, "check_result", check.AssetKey,
            $"{check.Name}: {(check.Passed ? "passed" : $"failed on {check.FailingRows} row(s)")}", check));
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task StepFinishedAsync(Guid runId, StepResult step, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(Command(
            "update runstore.steps set status = $3, started_at = coalesce(started_at, now()), finished_at = now(), rows = $4, error = $5, sql_hash = $6 where run_id = $1 and asset_key = $2",
            runId, step.AssetKey, Status(step.Status), (object?)step.Rows ?? DBNull.Value, (object?)step.Error ?? DBNull.Value, (object?)step.SqlHash ?? DBNull.Value));
        if (step.Status is StepStatus.Succeeded or StepStatus.CheckFailed && step.Columns.Count > 0)
        {
            batch.BatchCommands.Add(Command(
                "insert into runstore.materializations (run_id, asset_key, rows, duration_ms, columns, sql_hash, table_rows) values ($1, $2, $3, $4, $5, $6, $7)",
                runId, step.AssetKey, (object?)step.Rows ?? DBNull.Value, step.Duration.TotalMilliseconds, Json(step.Columns), (object?)step.SqlHash ?? DBNull.Value,
                (object?)step.TableRows ?? DBNull.Value));
            batch.BatchCommands.Add(EventCommand(runId, "materialization", step.AssetKey,
                step.TableRows is { } size && size != step.Rows ? $"{step.Rows} rows written, {size} in the table" : $"{step.Rows} rows",
                new { step.Rows, step.TableRows, step.SqlHash }));
        }

        if (step.Incremental is { } incremental)
        {
            batch.BatchCommands.Add(EventCommand(runId, "incremental", step.AssetKey, incremental.Describe(), new
            {
                kind = WireName.Of(incremental.Kind),
                incremental.Reason,
                partitions = incremental.Partitions.Select(p => new { start = p.Start, reason = WireName.Of(p.Reason) }),
            }));
        }

        batch.BatchCommands.Add(EventCommand(runId, "step_finished", step.AssetKey, step.Error ?? Status(step.Status), new
        {
            status = Status(step.Status),
            duration_ms = step.Duration.TotalMilliseconds,
            // The step's warehouse statements and their timings, which the run page draws under the step.
            statements = step.Statements.Select(s => new { sql = s.Sql, start_ms = Math.Round(s.StartMs, 1), duration_ms = Math.Round(s.DurationMs, 1), failed = s.Failed }),
        }));
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"notify {ChangesChannel}"));
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task RunFinishedAsync(RunResult run, CancellationToken cancellationToken)
    {
        var status = WireName.Of(run.Status);
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(Command("update runstore.runs set status = $2, finished_at = now() where run_id = $1", run.RunId, status));
        batch.BatchCommands.Add(EventCommand(run.RunId, "run_finished", null, status, new { status, duration_ms = run.Duration.TotalMilliseconds }));
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"notify {ChangesChannel}"));
        await batch.ExecuteNonQueryAsync(CancellationToken.None);
    }

    public static string Status(StepStatus status) => WireName.Of(status);

    /// <summary>Notified whenever a step starts or finishes, or a run finishes, so readers can drop what they cached.</summary>
    public const string ChangesChannel = "runstore_changes";

    /// <summary>This process, as runs name their worker.</summary>
    public static string Worker { get; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    private static NpgsqlBatchCommand EventCommand(Guid runId, string eventKind, string? assetKey, string? message, object? payload) =>
        Command("insert into runstore.events (run_id, kind, asset_key, message, payload) values ($1, $2, $3, $4, $5)",
            runId, eventKind, (object?)assetKey ?? DBNull.Value, (object?)message ?? DBNull.Value, payload is null ? DBNull.Value : Json(payload));

    /// <summary>How the run store writes JSON (snake_case, enums by wire name); <see cref="RunStoreQueries"/> reads it back so.</summary>
    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    private static NpgsqlParameter Json(object value) => new() { Value = JsonSerializer.Serialize(value, JsonOptions), NpgsqlDbType = NpgsqlDbType.Jsonb };

    private static NpgsqlBatchCommand Command(string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(value as NpgsqlParameter ?? new NpgsqlParameter { Value = value ?? DBNull.Value });
        }

        return command;
    }
}
