using Analytics.Core.Assets;
using Analytics.Core.Sources;
using Analytics.Testing;

namespace Analytics.Core.Tests;

/// <summary>Sources declared as data in their header: what a declaration holds, and the file:line and fix of each mistake.</summary>
public class SourceDeclarationTests
{
    private const string Columns = """
        columns:
          id: {type: integer, required: true}
          email: {type: text, pattern: '[^@]+@[^@]+', means: an e-mail address, max_length: 200}
          amount: {type: numeric, min: 0, max: 1000}
          status: {type: text, accepted_values: [open, closed], when: {kind: [order]}}
          kind: text
          changed_at: {type: timestamp, required: true}
        """;

    private static AssetDefinition Parse(string header) =>
        AssetFileParser.Parse("assets-sql/raw/raw_orders.sql", "raw", $"/*\nmaterialization: source\n{header}\n*/\n").Asset;

    [Fact]
    public void A_database_source_declares_its_columns_rules_key_and_watermark()
    {
        var asset = Parse(Columns + """

            primary_key: [id]
            partition_by: changed_at
            from: {database: shop, table: public.orders, watermark: changed_at, window: 6h, lag: 2m, max_rows_per_window: 5000}
            """);

        var source = asset.Source!;
        Assert.Equal(["id", "email", "amount", "status", "kind", "changed_at"], source.Columns.Select(c => c.Name));
        Assert.Equal([SourceColumnType.Integer, SourceColumnType.Text, SourceColumnType.Numeric, SourceColumnType.Text, SourceColumnType.Text, SourceColumnType.Timestamp],
            source.Columns.Select(c => c.Type));
        Assert.True(source.Columns[0].Required);
        Assert.Equal(("an e-mail address", 200), (source.Columns[1].Pattern!.Means, source.Columns[1].MaxLength));
        Assert.Equal((0m, 1000m), (source.Columns[2].Min!.Value, source.Columns[2].Max!.Value));
        Assert.Equal("kind", source.Columns[3].When!.Column);
        Assert.Equal(["order"], source.Columns[3].When!.Values);
        Assert.Equal(["id"], source.PrimaryKey);
        Assert.Equal("changed_at", source.EventTime);
        Assert.Equal(new DatabaseOrigin("shop", "public.orders", null, "changed_at", TimeSpan.FromHours(6), TimeSpan.FromMinutes(2)) { MaxRowsPerWindow = 5000 },
            source.Origin);
        // A declared source has a load id by default, so incremental assets downstream see its loads.
        Assert.Equal("load_id", asset.LoadId);
    }

    [Fact]
    public void The_shipped_raw_events_declaration_holds_the_input_rules_of_metrics_md()
    {
        var source = TestSources.Events.Source!;
        Assert.Equal(["event_time", "user_id", "event_type", "transaction_category", "miles_amount", "platform", "utm_source", "country", "tenant_id"],
            source.Columns.Select(c => c.Name));
        Assert.Equal(["event_time", "user_id", "event_type"], source.RequiredColumns);
        Assert.Equal(["miles_earned", "miles_redeemed", "share", "like", "reward_search"], source.Column("event_type")!.AcceptedValues);
        Assert.Equal(new FileOrigin("landing", SourceFileFormat.Csv), source.Origin);
        Assert.Equal("event_id", source.Identity!.Column);
        Assert.Equal(["tenant_id"], source.Identity.HashWhenPresent);
        Assert.Equal("file_id", source.LoadIdColumn);
    }

    [Theory]
    [InlineData("columns:\n  id: {type: uuid}\nfrom: {files: landing}", 4, "column 'id' has the type 'uuid', which is not one; use text, integer, numeric, timestamp, date, boolean")]
    [InlineData("columns:\n  id: {type: text, unique: true}\nfrom: {files: landing}", 4, "column 'id' has no rule 'unique'")]
    [InlineData("columns:\n  id: {type: text, min: 1}\nfrom: {files: landing}", 4, "min and max apply to numeric and integer columns")]
    [InlineData("columns:\n  id: {type: text, pattern: '(a'}\nfrom: {files: landing}", 4, "pattern '(a' is not a regular expression")]
    [InlineData("columns:\n  id: {type: text, when: {kind: [x]}}\nfrom: {files: landing}", 4, "when names 'kind', which is not a declared column")]
    [InlineData("columns:\n  id: text\nfrom: {files: landing, format: parquet}", 5, "format 'parquet' is not one; use csv, jsonl or xlsx")]
    [InlineData("columns:\n  id: text", 1, "a source with columns says where its rows come from")]
    [InlineData("columns:\n  id: text\n  at: timestamp\nfrom: {database: shop, table: orders, watermark: at}", 6, "a database source is written by its primary key")]
    [InlineData("columns:\n  id: text\nprimary_key: [id]\nfrom: {database: shop, table: orders, watermark: id}", 6, "the watermark 'id' must be a timestamp or integer column")]
    [InlineData("columns:\n  id: text\nprimary_key: [id]\nfrom: {database: shop, table: orders, query: select 1, watermark: id}", 6, "reads a table or a query (one of them)")]
    [InlineData("columns:\n  id: text\n  load_id: integer\nfrom: {files: landing}", 5, "column 'load_id' is written by the load itself")]
    [InlineData("primary_key: [id]", 3, "'primary_key' needs the source's columns")]
    public void A_mistake_in_a_declaration_names_the_file_its_line_and_the_fix(string header, int line, string message)
    {
        var error = Assert.Throws<AssetDeclarationException>(() => Parse(header));

        Assert.StartsWith($"assets-sql/raw/raw_orders.sql:{line}:", error.Message);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Source_fields_on_a_model_are_refused()
    {
        var error = Assert.Throws<AssetDeclarationException>(() =>
            AssetFileParser.Parse("assets-sql/marts/m.sql", "marts", "/*\ncolumns:\n  id: text\n*/\nselect 1 as id"));

        Assert.Equal("assets-sql/marts/m.sql:2: 'columns' applies to sources only (materialization: source); remove it.", error.Message);
    }
}
