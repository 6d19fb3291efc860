using Analytics.Core.Assets;
using Analytics.Core.Templating;

namespace Analytics.Warehouse.BigQuery;

/// <summary>
/// An erasure's statements in GoogleSQL, as the PostgreSQL erasure runs them: the tombstone (a keyed hash, never the
/// id), a DELETE of the subject's rows from every table holding a user_id (within its tenant where the table has one),
/// the rejected rows holding the id as a whole field, and the search of every STRING column that proves it gone. The
/// values are query parameters (<c>@user_id</c>, <c>@tenant</c>, <c>@subject_hash</c>, <c>@word_pattern</c>).
/// Rendered and checked (golden files); running them on BigQuery is not automated yet (SubjectEraser says so).
/// </summary>
public sealed class BigQueryErasure(AssetProject project, BigQueryDialect dialect)
{
    /// <summary>The tables an erasure deletes from: every source with a subject, and every table asset whose user_id is classified.</summary>
    public IReadOnlyList<AssetDefinition> Tables => project.Graph.TopologicalOrder.Select(k => project.Graph[k])
        .Where(a => a.Materialization != Materialization.View && (a.Source?.Subject == "user_id" || a.Classification.ContainsKey("user_id")))
        .ToList();

    public string Tombstone() =>
        $"INSERT INTO {dialect.Relation("raw", "erased_subjects")} (subject_hash, erased_at)\n"
        + "SELECT @subject_hash, CURRENT_TIMESTAMP()\n"
        + $"FROM UNNEST([1])\nWHERE NOT EXISTS (SELECT 1 FROM {dialect.Relation("raw", "erased_subjects")} WHERE subject_hash = @subject_hash)";

    /// <summary>The subject's rows of one table; <paramref name="tenanted"/>: the table has tenant_id, and a tenant's erasure keeps other tenants' same id.</summary>
    public string Delete(AssetDefinition table, bool tenanted) =>
        $"DELETE FROM {dialect.Relation(table.Schema, table.Key.Name)}\nWHERE user_id = @user_id"
        + (tenanted ? "\n  AND (@tenant IS NULL OR COALESCE(tenant_id, 'default') = @tenant)" : "");

    /// <summary>Rejected rows whose raw text holds the id as a whole field.</summary>
    public string DeleteRejected(AssetDefinition source) =>
        $"DELETE FROM {dialect.Relation("raw", source.Key.Name + "_rejected")}\nWHERE REGEXP_CONTAINS(raw_text, @word_pattern)";

    /// <summary>The STRING columns to search, from the datasets' INFORMATION_SCHEMA.</summary>
    public string StringColumns(string schema) =>
        $"SELECT table_name, column_name FROM {dialect.Relation(schema, "INFORMATION_SCHEMA.COLUMNS")} WHERE data_type = 'STRING' ORDER BY table_name, column_name";

    /// <summary>How many rows of one column still hold the id as a whole word: the proof is zero everywhere.</summary>
    public string Search(string schema, string table, string column) =>
        $"SELECT COUNT(*) AS found FROM {dialect.Relation(schema, table)} WHERE REGEXP_CONTAINS({column}, @word_pattern)";

    /// <summary>Whether a table carries tenant_id: a source that declares it, a model whose SQL selects it.</summary>
    public bool Tenanted(AssetDefinition table) => table.Source is { } source
        ? source.Column("tenant_id") is not null
        : project.Compile(table.Key.Name, dialect).Contains("tenant_id", StringComparison.Ordinal);

    /// <summary>Every statement, in order, for the golden file.</summary>
    public string Script()
    {
        var statements = new List<string> { Tombstone() };
        statements.AddRange(Tables.Select(t => Delete(t, Tenanted(t))));
        statements.AddRange(Tables.Where(t => t.Source is not null).Select(DeleteRejected));
        statements.AddRange(new[] { "raw", "staging", "snapshots", "core", "marts" }.Select(StringColumns));
        statements.Add(Search("marts", "TABLE", "COLUMN") + " -- for each STRING column listed");
        return string.Join(";\n\n", statements) + ";\n";
    }
}
