using Analytics.Core.Assets;
using Analytics.Core.Templating;
using Analytics.Warehouse.BigQuery;
using Analytics.Warehouse.Postgres;

namespace Analytics.Core.Tests;

/// <summary>A snapshot's header: what it declares, each mistake an error naming the file and the fix, and valid_at().</summary>
public sealed class SnapshotDeclarationTests
{
    private static AssetDefinition Parse(string header, string sql = "select * from {{ ref('stg_users') }}") =>
        AssetFileParser.Parse("assets-sql/snapshots/snap.sql", "snapshots", $"/*\n{header}\n*/\n{sql}").Asset;

    [Fact]
    public void A_snapshot_declares_its_key_strategy_and_delete_rule_and_carries_the_history_checks()
    {
        var asset = Parse("materialization: snapshot\nunique_key: [tenant_id, user_id]\nstrategy: timestamp\nupdated_at: updated_at\nhard_deletes: new_record");

        Assert.Equal(Materialization.Snapshot, asset.Materialization);
        Assert.Equal((SnapshotStrategy.Timestamp, "updated_at", HardDeletes.NewRecord), (asset.Snapshot!.Strategy, asset.Snapshot.UpdatedAt, asset.Snapshot.HardDeletes));
        Assert.Equal(["tenant_id", "user_id"], asset.Snapshot!.UniqueKey);
        Assert.Equal(["snap__one_current_version_per_key", "snap__no_overlapping_versions", "snap__valid_from_before_valid_to"], asset.Checks.Select(c => c.Name));
        Assert.Null(asset.Incremental);

        var check = Parse("materialization: snapshot\nunique_key: user_id\nstrategy: check\ncheck_cols: all").Snapshot!;
        Assert.Equal((SnapshotStrategy.Check, (IReadOnlyList<string>?)null, HardDeletes.Ignore), (check.Strategy, check.CheckColumns, check.HardDeletes));
        Assert.Equal(["tier", "country"], Parse("materialization: snapshot\nunique_key: user_id\nstrategy: check\ncheck_cols: [tier, country]").Snapshot!.CheckColumns);
    }

    [Theory]
    [InlineData("materialization: snapshot\nstrategy: timestamp\nupdated_at: u", "a snapshot needs 'unique_key', the columns that name a row")]
    [InlineData("materialization: snapshot\nunique_key: id", "a snapshot's strategy is missing; write 'strategy: timestamp'")]
    [InlineData("materialization: snapshot\nunique_key: id\nstrategy: latest", "a snapshot's strategy 'latest' is unknown")]
    [InlineData("materialization: snapshot\nunique_key: id\nstrategy: timestamp", "the timestamp strategy needs 'updated_at: <column>'")]
    [InlineData("materialization: snapshot\nunique_key: id\nstrategy: check", "the check strategy needs 'check_cols'")]
    [InlineData("materialization: snapshot\nunique_key: id\nstrategy: timestamp\nupdated_at: u\ncheck_cols: all", "'check_cols' applies to 'strategy: check'")]
    [InlineData("materialization: snapshot\nunique_key: id\nstrategy: timestamp\nupdated_at: u\nhard_deletes: purge", "hard_deletes 'purge' is unknown; use ignore")]
    [InlineData("materialization: snapshot\nunique_key: [id, id]\nstrategy: timestamp\nupdated_at: u", "'unique_key' names a column twice")]
    [InlineData("materialization: snapshot\nunique_key: 'id; drop'\nstrategy: timestamp\nupdated_at: u", "'unique_key' names 'id; drop', which is not a column name")]
    [InlineData("materialization: snapshot\nunique_key: valid_from\nstrategy: timestamp\nupdated_at: u", "'valid_from' is a column the snapshot adds itself")]
    [InlineData("materialization: table\nstrategy: timestamp", "'strategy' applies to snapshots only")]
    [InlineData("materialization: snapshot\nunique_key: id\nstrategy: timestamp\nupdated_at: u\nlookback: 3", "'lookback' applies to incremental assets only")]
    public void A_mistake_in_a_snapshot_header_names_the_file_and_the_fix(string header, string problem)
    {
        var error = Assert.Throws<AssetDeclarationException>(() => Parse(header));

        Assert.StartsWith("assets-sql/snapshots/snap.sql:", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void Valid_at_renders_the_half_open_interval_of_a_live_version_in_both_dialects()
    {
        var template = SqlTemplate.Parse("{{ valid_at(u, e.event_time) }}", "x.sql");
        const string Expected = "(u.valid_from <= e.event_time and (u.valid_to is null or e.event_time < u.valid_to) and not u.is_deleted)";

        Assert.Equal(Expected, template.Render(new RenderContext(PostgresDialect.Instance, "t", false, _ => null)));
        Assert.Equal(Expected, template.Render(new RenderContext(new BigQueryDialect(), "t", false, _ => null)));
    }

    [Fact]
    public void A_version_id_is_the_same_hash_of_key_and_start_in_both_dialects()
    {
        Assert.Equal("md5(concat_ws('|', (k)::text, (extract(epoch from ts) * 1000000)::bigint::text))", PostgresDialect.Instance.VersionId(["k"], "ts"));
        Assert.Equal("TO_HEX(MD5(CONCAT(CAST(k AS STRING), '|', CAST(UNIX_MICROS(ts) AS STRING))))", new BigQueryDialect().VersionId(["k"], "ts"));
        Assert.Equal("timestamptz '2025-03-02 10:00:00.000001+00'", PostgresDialect.Instance.TimestampLiteral(new DateTimeOffset(2025, 3, 2, 17, 0, 0, TimeSpan.FromHours(7)).AddTicks(10)));
    }
}
