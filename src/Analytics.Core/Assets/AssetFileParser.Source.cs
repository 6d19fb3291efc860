using System.Globalization;
using System.Text.RegularExpressions;
using Analytics.Core.Sources;

namespace Analytics.Core.Assets;

public static partial class AssetFileParser
{
    private const string ColumnsExample = "e.g. 'columns: {user_id: {type: text, required: true}, amount: numeric}'";

    private static readonly Dictionary<string, SourceColumnType> ColumnTypes = new(StringComparer.Ordinal)
    {
        ["text"] = SourceColumnType.Text,
        ["integer"] = SourceColumnType.Integer,
        ["numeric"] = SourceColumnType.Numeric,
        ["timestamp"] = SourceColumnType.Timestamp,
        ["date"] = SourceColumnType.Date,
        ["boolean"] = SourceColumnType.Boolean,
    };

    private static readonly string[] ColumnFields = ["type", "required", "accepted_values", "pattern", "means", "max_length", "min", "max", "when"];

    /// <summary>
    /// The declaration of a loadable source: <c>columns:</c> with their rules and <c>from:</c> with where the rows come from,
    /// plus <c>primary_key</c>, <c>identity</c> and <c>subject</c>. Null for a source without columns (a table someone
    /// else loads, only observed). Each error names the file and the line of the field at fault.
    /// </summary>
    private static SourceDeclaration? ReadSource(string path, string text, IReadOnlyDictionary<string, object?> meta, Materialization materialization,
        string? partitionBy, string? loadId)
    {
        string[] fields = ["columns", "from", "primary_key", "identity", "subject", "retention"];
        if (materialization != Materialization.Source)
        {
            if (fields.FirstOrDefault(meta.ContainsKey) is { } misplaced)
            {
                throw new AssetDeclarationException($"{path}:{LineOf(text, misplaced + ":")}: '{misplaced}' applies to sources only "
                                                    + "(materialization: source); remove it.");
            }

            return null;
        }

        if (!meta.ContainsKey("columns"))
        {
            if (fields.FirstOrDefault(meta.ContainsKey) is { } orphan)
            {
                throw new AssetDeclarationException($"{path}:{LineOf(text, orphan + ":")}: '{orphan}' needs the source's columns; declare them, {ColumnsExample}.");
            }

            return null;
        }

        var columns = ReadColumns(path, text, meta["columns"]);
        var declared = columns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        string Declared(string field, string column)
        {
            return declared.Contains(column)
                ? column
                : throw new AssetDeclarationException($"{path}:{LineOf(text, field + ":")}: {field} names '{Shorten(column)}', which is not a declared column; "
                                                      + $"declare it under columns or name one of {string.Join(", ", declared)}.");
        }

        foreach (var column in columns.Where(c => c.When is not null))
        {
            Declared("when", column.When!.Column);
        }

        var primaryKey = ReadStrings(path, meta, "primary_key").Select(c => Declared("primary_key", c)).ToList();
        var identity = ReadIdentity(path, text, meta.GetValueOrDefault("identity"), Declared);
        var subject = meta.GetValueOrDefault("subject") is { } s
            ? Declared("subject", s as string ?? throw new AssetDeclarationException($"{path}:{LineOf(text, "subject:")}: subject must be a column name."))
            : null;
        if (partitionBy is not null && columns.First(c => c.Name == Declared("partition_by", partitionBy)).Type != SourceColumnType.Timestamp)
        {
            throw new AssetDeclarationException($"{path}:{LineOf(text, "partition_by:")}: partition_by names '{partitionBy}', which is not a timestamp column; "
                                                + "a source's partition_by is the timestamp whose UTC day dates a row.");
        }

        var loadColumn = loadId ?? "load_id";
        var reserved = new[] { loadColumn, "line_number" }.Concat(identity is null ? [] : [identity.Column]).ToList();
        if (columns.FirstOrDefault(c => reserved.Contains(c.Name)) is { } clash)
        {
            throw new AssetDeclarationException($"{path}:{LineOf(text, clash.Name + ":")}: column '{clash.Name}' is written by the load itself "
                                                + $"({string.Join(", ", reserved)}); rename the column.");
        }

        var origin = ReadOrigin(path, text, meta.GetValueOrDefault("from"), Declared);
        if (origin is DatabaseOrigin && primaryKey.Count == 0)
        {
            throw new AssetDeclarationException($"{path}:{LineOf(text, "from:")}: a database source is written by its primary key (a row read again "
                                                + "replaces its earlier copy); add 'primary_key: [id]'.");
        }

        if (origin is DatabaseOrigin database && columns.First(c => c.Name == database.Watermark).Type is not (SourceColumnType.Timestamp or SourceColumnType.Integer))
        {
            throw new AssetDeclarationException($"{path}:{LineOf(text, "watermark:")}: the watermark '{database.Watermark}' must be a timestamp or integer column.");
        }

        return new SourceDeclaration(columns, origin)
        {
            Retention = ReadRetention(path, text, meta.GetValueOrDefault("retention"), partitionBy),
            PrimaryKey = primaryKey,
            Identity = identity,
            EventTime = partitionBy,
            Subject = subject,
            LoadIdColumn = loadColumn,
        };
    }

    /// <summary><c>retention: {max_age: 400d}</c>: how long rows are kept, by their event time (the source's partition_by).</summary>
    private static TimeSpan? ReadRetention(string path, string text, object? value, string? partitionBy)
    {
        const string Example = "write e.g. 'retention: {max_age: 400d}' (units d and w; one day to ten years)";
        if (value is null)
        {
            return null;
        }

        var at = $"{path}:{LineOf(text, "retention:")}";
        if (value is not Dictionary<object, object> map || Mapping(path, "retention", map) is not { Count: 1 } fields || !fields.ContainsKey("max_age"))
        {
            throw new AssetDeclarationException($"{at}: retention takes one field, max_age; {Example}.");
        }

        if (partitionBy is null)
        {
            throw new AssetDeclarationException($"{at}: retention deletes rows by their event time; give the source 'partition_by: <timestamp column>'.");
        }

        var age = DurationText.TryParse(fields["max_age"] as string, SourceDeclaration.MaxRetention);
        return age is { } days && days >= TimeSpan.FromDays(1) && days.Ticks % TimeSpan.TicksPerDay == 0
            ? days
            : throw new AssetDeclarationException($"{at}: retention max_age '{Shorten(fields["max_age"]?.ToString() ?? "")}' is not whole days; {Example}.");
    }

    private static List<SourceColumn> ReadColumns(string path, string text, object? value)
    {
        var at = LineOf(text, "columns:");
        if (value is not Dictionary<object, object> map || map.Count == 0)
        {
            throw new AssetDeclarationException($"{path}:{at}: columns must map each column to its type or rules; write {ColumnsExample}.");
        }

        if (map.Count > SourceDeclaration.MaxColumns)
        {
            throw new AssetDeclarationException($"{path}:{at}: columns names {map.Count} columns, more than the {SourceDeclaration.MaxColumns} a source may.");
        }

        var columns = new List<SourceColumn>();
        foreach (var (name, spec) in Mapping(path, "columns", map))
        {
            var line = LineOf(text, name + ":", at);
            if (!IsColumnName(name))
            {
                throw new AssetDeclarationException($"{path}:{line}: '{Shorten(name)}' is not a column name (a letter or '_', then letters, digits, underscores; at most 63).");
            }

            columns.Add(ReadColumn(path, $"{path}:{line}: column '{name}'", name, spec));
        }

        return columns;
    }

    private static SourceColumn ReadColumn(string path, string at, string name, object? spec)
    {
        var types = string.Join(", ", ColumnTypes.Keys);
        if (spec is string typeOnly)
        {
            return new SourceColumn(name, ColumnType(at, typeOnly, types));
        }

        if (spec is not Dictionary<object, object> map)
        {
            throw new AssetDeclarationException($"{at} must be a type ({types}) or a mapping of rules ({string.Join(", ", ColumnFields)}).");
        }

        var rules = Mapping(path, at, map);
        if (rules.Keys.FirstOrDefault(k => !ColumnFields.Contains(k)) is { } unknown)
        {
            throw new AssetDeclarationException($"{at} has no rule '{Shorten(unknown)}'; the rules are {string.Join(", ", ColumnFields)}.");
        }

        var type = ColumnType(at, rules.GetValueOrDefault("type") as string ?? throw new AssetDeclarationException($"{at} needs a type ({types})."), types);
        var column = new SourceColumn(name, type)
        {
            Required = rules.GetValueOrDefault("required") switch
            {
                null => false,
                string b when bool.TryParse(b, out var required) => required,
                _ => throw new AssetDeclarationException($"{at}: required must be true or false."),
            },
            AcceptedValues = rules.GetValueOrDefault("accepted_values") switch
            {
                null => [],
                List<object> list when list.Count is > 0 and <= 1_000 && list.All(v => v is string) => list.Cast<string>().ToList(),
                _ => throw new AssetDeclarationException($"{at}: accepted_values must be a list of 1 to 1,000 values, e.g. [ios, android]."),
            },
            Pattern = ReadPattern(at, rules),
            MaxLength = rules.GetValueOrDefault("max_length") is { } length
                ? Number(at, "max_length", length) is var n && n is >= 1 and <= SourceDeclaration.MaxFieldLength * 1_000 && n == decimal.Truncate(n)
                    ? (int)n
                    : throw new AssetDeclarationException($"{at}: max_length must be a whole number from 1 to {SourceDeclaration.MaxFieldLength * 1_000:N0}.")
                : SourceDeclaration.MaxFieldLength,
            Min = rules.GetValueOrDefault("min") is { } min ? Number(at, "min", min) : null,
            Max = rules.GetValueOrDefault("max") is { } max ? Number(at, "max", max) : null,
            When = ReadCondition(path, at, rules.GetValueOrDefault("when")),
        };
        if ((column.Min is not null || column.Max is not null) && type is not (SourceColumnType.Numeric or SourceColumnType.Integer))
        {
            throw new AssetDeclarationException($"{at}: min and max apply to numeric and integer columns; remove them or change the type.");
        }

        if (column.Min > column.Max)
        {
            throw new AssetDeclarationException($"{at}: min ({column.Min}) is above max ({column.Max}); swap them.");
        }

        return column;
    }

    private static SourceColumnType ColumnType(string at, string text, string types) =>
        ColumnTypes.TryGetValue(text.Trim(), out var type)
            ? type
            : throw new AssetDeclarationException($"{at} has the type '{Shorten(text)}', which is not one; use {types}.");

    private static decimal Number(string at, string rule, object value) =>
        value is string text && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new AssetDeclarationException($"{at}: {rule} must be a number.");

    private static SourcePattern? ReadPattern(string at, Dictionary<string, object?> rules)
    {
        if (rules.GetValueOrDefault("pattern") is not { } value)
        {
            return rules.ContainsKey("means") ? throw new AssetDeclarationException($"{at}: means describes a pattern; add the pattern or remove it.") : null;
        }

        if (value is not string pattern || pattern.Length is 0 or > 1_000)
        {
            throw new AssetDeclarationException($"{at}: pattern must be a regular expression of at most 1,000 characters.");
        }

        try
        {
            // Anchored (the whole value must match), and bounded in time: a value is input, and a pattern must not hang a load on it.
            var regex = new Regex($"^(?:{pattern})$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, TimeSpan.FromMilliseconds(100));
            return new SourcePattern(regex, rules.GetValueOrDefault("means") as string ?? $"matching the pattern {pattern}");
        }
        catch (ArgumentException e)
        {
            throw new AssetDeclarationException($"{at}: pattern '{Shorten(pattern)}' is not a regular expression ({e.Message}).");
        }
        catch (NotSupportedException e)
        {
            throw new AssetDeclarationException($"{at}: pattern '{Shorten(pattern)}' uses a construct patterns may not ({e.Message}); "
                                                + "write it without backreferences or lookarounds.");
        }
    }

    private static SourceCondition? ReadCondition(string path, string at, object? value)
    {
        const string Example = "e.g. 'when: {event_type: [miles_earned, miles_redeemed]}'";
        if (value is null)
        {
            return null;
        }

        if (value is not Dictionary<object, object> map || map.Count != 1)
        {
            throw new AssetDeclarationException($"{at}: when must name one column and its values, {Example}.");
        }

        var (column, values) = Mapping(path, at, map).Single();
        return values is List<object> list && list.Count > 0 && list.All(v => v is string)
            ? new SourceCondition(column, list.Cast<string>().ToList())
            : throw new AssetDeclarationException($"{at}: when's values must be a list, {Example}.");
    }

    private static SourceIdentity? ReadIdentity(string path, string text, object? value, Func<string, string, string> declared)
    {
        const string Example = "e.g. 'identity: {column: event_id, hash: [event_time, user_id, event_type]}'";
        if (value is null)
        {
            return null;
        }

        var at = $"{path}:{LineOf(text, "identity:")}";
        if (value is not Dictionary<object, object> map)
        {
            throw new AssetDeclarationException($"{at}: identity must be a mapping, {Example}.");
        }

        var fields = Mapping(path, "identity", map);
        if (fields.Keys.FirstOrDefault(k => k is not ("column" or "hash" or "hash_when_present")) is { } unknown)
        {
            throw new AssetDeclarationException($"{at}: identity has no field '{Shorten(unknown)}'; {Example}.");
        }

        if (fields.GetValueOrDefault("column") is not string column || !IsColumnName(column))
        {
            throw new AssetDeclarationException($"{at}: identity needs the column its id is written to, {Example}.");
        }

        var hash = ReadStrings(path, fields, "hash").Select(c => declared("identity", c)).ToList();
        var optional = ReadStrings(path, fields, "hash_when_present").Select(c => declared("identity", c)).ToList();
        return hash.Count == 0
            ? throw new AssetDeclarationException($"{at}: identity needs the columns it hashes, {Example}.")
            : new SourceIdentity(column, hash, optional);
    }

    private static SourceOrigin ReadOrigin(string path, string text, object? value, Func<string, string, string> declared)
    {
        const string Example = "e.g. 'from: {files: landing, format: csv}' or "
                               + "'from: {database: appdb, table: public.users, watermark: updated_at, window: 1d, lag: 5m}'";
        var at = $"{path}:{LineOf(text, "from:")}";
        if (value is not Dictionary<object, object> map)
        {
            throw new AssetDeclarationException($"{at}: a source with columns says where its rows come from, {Example}.");
        }

        var fields = Mapping(path, "from", map);
        string? Text(string field) => fields.GetValueOrDefault(field) switch
        {
            null => null,
            string s when s.Trim().Length is > 0 and <= 10_000 => s.Trim(),
            _ => throw new AssetDeclarationException($"{at}: from's {field} must be text."),
        };

        if (fields.ContainsKey("files") == fields.ContainsKey("database"))
        {
            throw new AssetDeclarationException($"{at}: from names either files or a database, {Example}.");
        }

        if (fields.ContainsKey("files"))
        {
            if (fields.Keys.FirstOrDefault(k => k is not ("files" or "format" or "sheet" or "header_row")) is { } unknown)
            {
                throw new AssetDeclarationException($"{at}: from has no field '{Shorten(unknown)}' for files (files, format, sheet, header_row).");
            }

            var format = Text("format") ?? "csv";
            var headerRow = Text("header_row") is { } row
                ? int.TryParse(row, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 1_000 ? n
                : throw new AssetDeclarationException($"{at}: header_row must be a row number from 1 to 1,000.")
                : 1;
            return new FileOrigin(Text("files")!, Enum.TryParse<SourceFileFormat>(format, ignoreCase: true, out var parsed) && !format.Any(char.IsDigit)
                ? parsed
                : throw new AssetDeclarationException($"{at}: format '{Shorten(format)}' is not one; use csv, jsonl or xlsx."), Text("sheet"), headerRow);
        }

        if (fields.Keys.FirstOrDefault(k => k is not ("database" or "table" or "query" or "watermark" or "window" or "lag" or "max_rows_per_window")) is { } other)
        {
            throw new AssetDeclarationException($"{at}: from has no field '{Shorten(other)}' for a database "
                                                + "(database, table, query, watermark, window, lag, max_rows_per_window).");
        }

        var connection = Text("database")!;
        if (!IsColumnName(connection))
        {
            throw new AssetDeclarationException($"{at}: database '{Shorten(connection)}' must be a connection name (read from ConnectionStrings__NAME).");
        }

        var (table, query) = (Text("table"), Text("query"));
        if ((table is null) == (query is null))
        {
            throw new AssetDeclarationException($"{at}: a database source reads a table or a query (one of them), {Example}.");
        }

        if (table is not null && !table.Split('.').All(IsColumnName))
        {
            throw new AssetDeclarationException($"{at}: table '{Shorten(table)}' must be a name or schema.name.");
        }

        var watermark = declared("watermark", Text("watermark") ?? throw new AssetDeclarationException($"{at}: a database source needs the watermark column it is read by, {Example}."));
        var window = DurationText.TryParse(Text("window") ?? "1d") ?? throw new AssetDeclarationException($"{at}: window is not a duration (e.g. 1d, 6h).");
        var lag = Text("lag") is { } lagText
            ? lagText == "0" ? TimeSpan.Zero : DurationText.TryParse(lagText) ?? throw new AssetDeclarationException($"{at}: lag is not a duration (e.g. 5m).")
            : TimeSpan.FromMinutes(5);
        var origin = new DatabaseOrigin(connection, table, query, watermark, window, lag);
        return Text("max_rows_per_window") is { } rows
            ? origin with
            {
                MaxRowsPerWindow = long.TryParse(rows, CultureInfo.InvariantCulture, out var max) && max is >= 1 and <= 100_000_000 ? max
                    : throw new AssetDeclarationException($"{at}: max_rows_per_window must be a whole number from 1 to 100,000,000."),
            }
            : origin;
    }

    private static bool IsColumnName(string name) =>
        name.Length is > 0 and <= 63 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_');
}
