using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Core.Templating;
using Analytics.Testing;
using Analytics.Warehouse.Postgres;

namespace Analytics.Warehouse.BigQuery.Tests;

/// <summary>
/// The statements an incremental build sends, for every incremental asset and both warehouses, checked in as golden
/// files: PostgreSQL's delete and insert (or insert of unseen keys) in one transaction, BigQuery's MERGE. Rendered
/// for loads 41..42 and the partitions 2025-03-01 and 2025-03-02.
/// </summary>
public sealed partial class DialectTests
{
    private static readonly ChangeWindow Window = new(40, 42);
    private static readonly DateOnly[] Days = [new(2025, 3, 1), new(2025, 3, 2)];

    private static string IncrementalStatements(string key, string dialectName)
    {
        var asset = Project.Graph[key];
        var spec = asset.Incremental!;
        var dialect = Dialect(dialectName);
        var starts = Days.Select(d => Partitions.Truncate(d, spec.Grain)).Distinct().ToList();
        var staged = new List<string>();
        var affected = IncrementalSql.PartitionList(starts);
        if (!spec.ByDate)
        {
            // Keys are staged in a scratch table first, and read from it.
            var keys = IncrementalSql.Keys(Project, asset, IncrementalSql.SourceOf(Project, asset), dialect, Window);
            if (dialectName == "bigquery")
            {
                var (statement, reader) = BigQueryWarehouse.StageStatement((BigQueryDialect)dialect, asset, keys);
                (staged, affected) = ([statement], reader);
            }
            else
            {
                var (statements, reader) = PostgresWarehouse.StageStatements(asset.Schema, key, keys);
                (staged, affected) = (statements.ToList(), reader);
            }
        }

        // A build by key gets the days its changed rows are dated as affected_days(), and the earliest as affected_start().
        var sql = Project.CompileIncremental(key, dialect, Window, affected, spec.ByDate ? IncrementalSql.DayList(starts, spec.Grain) : IncrementalSql.PartitionList(Days),
            ChangeWindow.Date(spec.ByDate ? starts.Min() : Days.Min())).Trim();
        var write = IncrementalSql.Write(spec, affected, Project.Uses(key, "this"), asset.PartitionKey);
        return dialectName == "bigquery"
            ? string.Join(";\n", [.. staged, BigQueryWarehouse.IncrementalStatement((BigQueryDialect)dialect, asset, sql, write)]) + "\n"
            : string.Join(";\n", [.. staged, .. PostgresWarehouse.IncrementalStatements(dialect.Relation(asset.Schema, key), sql, write)]) + "\n";
    }

    [Theory]
    [MemberData(nameof(Dialects))]
    public void Every_incremental_build_renders_its_checked_in_statements(string dialect)
    {
        var folder = Path.Combine(TestFiles.RepositoryRoot, "tests", "Analytics.Warehouse.BigQuery.Tests", "golden", dialect, "incremental");
        var incremental = Project.Graph.TopologicalOrder.Where(k => Project.Graph[k].Incremental is not null).ToList();
        Assert.Contains("fct_events", incremental);
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(folder);
            foreach (var stale in Directory.GetFiles(folder))
            {
                File.Delete(stale);
            }

            foreach (var key in incremental)
            {
                File.WriteAllText(Path.Combine(folder, key + ".sql"), IncrementalStatements(key, dialect));
            }
        }

        Assert.Equal(incremental.Select(k => k + ".sql").Order(), Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        foreach (var key in incremental)
        {
            var actual = IncrementalStatements(key, dialect);
            Assert.True(File.ReadAllText(Path.Combine(folder, key + ".sql")) == actual,
                $"{dialect}/incremental/{key}.sql differs from the rendered build; if the change is intended, regenerate with UPDATE_GOLDEN=1.\n--- rendered:\n{actual}");
        }
    }

    [Fact]
    public void Incremental_builds_on_bigquery_are_one_merge_with_no_postgres_only_construct()
    {
        foreach (var key in Project.Graph.TopologicalOrder.Where(k => Project.Graph[k].Incremental is not null))
        {
            var sql = IncrementalStatements(key, "bigquery");
            var stripped = CommentPattern().Replace(sql, "");
            // One MERGE, after the staging of the keys for a per-key asset.
            var merge = stripped[(stripped.LastIndexOf(";\n", StringComparison.Ordinal) + 1)..].TrimStart();
            Assert.StartsWith("MERGE ", merge);
            Assert.DoesNotContain(";", merge);
            Assert.Empty(PostgresOnly.Where(c => c.Value.IsMatch(stripped)).Select(c => $"{key}: {c.Key}"));
        }

        var fct = IncrementalStatements("fct_events", "bigquery");
        Assert.Contains("WHEN NOT MATCHED BY SOURCE AND existing.event_date in (date '2025-03-01', date '2025-03-02') THEN DELETE", fct);
        Assert.Contains("file_id > 40 and file_id <= 42", IncrementalStatements("stg_events", "bigquery"));
    }
}
