using Analytics.Core.Execution;
using Analytics.Core.Templating;
using Analytics.Testing;
using Analytics.Warehouse.Postgres;

namespace Analytics.Warehouse.BigQuery.Tests;

/// <summary>
/// The statements a snapshot run sends, for every shipped snapshot and both warehouses, checked in as golden files:
/// PostgreSQL's staged changes, update and inserts in one transaction; BigQuery's table statement and one MERGE.
/// Rendered at 2025-03-02 10:00 UTC, for load 42.
/// </summary>
public sealed partial class DialectTests
{
    private static readonly SnapshotWrite SnapshotRun = new(new DateTimeOffset(2025, 3, 2, 10, 0, 0, TimeSpan.Zero), 42);

    private static string SnapshotStatements(string key, string dialectName)
    {
        var asset = Project.Graph[key];
        var dialect = Dialect(dialectName);
        var sql = Project.Compile(key, dialect).Trim();
        // The snapshot's own columns, as the SELECT names them (after the first run, as the table has them).
        var columns = System.Text.RegularExpressions.Regex.Matches(sql, @"^\s+(\w+),?$", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).ToList();
        return dialectName == "bigquery"
            ? string.Join(";\n", BigQueryWarehouse.SnapshotTableStatement((BigQueryDialect)dialect, asset, sql, rebuild: false),
                BigQueryWarehouse.SnapshotStatement((BigQueryDialect)dialect, asset, sql, columns, SnapshotRun)) + "\n"
            : string.Join(";\n", [$"create temp table {PostgresWarehouse.SnapshotIncoming} on commit drop as\n{sql}",
                SnapshotSql.Problems(asset.Snapshot!, PostgresWarehouse.SnapshotIncoming, dialect),
                .. PostgresWarehouse.SnapshotStatements(asset.Snapshot!, dialect.Relation(asset.Schema, key), columns, SnapshotRun)]) + "\n";
    }

    [Theory]
    [MemberData(nameof(Dialects))]
    public void Every_snapshot_run_renders_its_checked_in_statements(string dialect)
    {
        var folder = Path.Combine(TestFiles.RepositoryRoot, "tests", "Analytics.Warehouse.BigQuery.Tests", "golden", dialect, "snapshot");
        var snapshots = Project.Graph.TopologicalOrder.Where(k => Project.Graph[k].Snapshot is not null).ToList();
        Assert.Equal(["snap_users"], snapshots);
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(folder);
            foreach (var key in snapshots)
            {
                File.WriteAllText(Path.Combine(folder, key + ".sql"), SnapshotStatements(key, dialect));
            }
        }

        foreach (var key in snapshots)
        {
            var actual = SnapshotStatements(key, dialect);
            Assert.True(File.ReadAllText(Path.Combine(folder, key + ".sql")) == actual,
                $"{dialect}/snapshot/{key}.sql differs from the rendered run; if the change is intended, regenerate with UPDATE_GOLDEN=1.\n--- rendered:\n{actual}");
            if (dialect == "bigquery")
            {
                Assert.Empty(PostgresOnly.Where(c => c.Value.IsMatch(CommentPattern().Replace(actual, ""))).Select(c => c.Key));
                Assert.Contains("tenant_id, user_id, tier, country, signed_up_at, updated_at, valid_from", actual);
            }
        }
    }
}
