using Analytics.Core.Ingest;
using Analytics.Testing;

namespace Analytics.Core.Tests;

public class IngestParsingTests
{
    private static List<(long Line, string[] Fields, string Raw, bool Unterminated)> ReadAll(string text)
    {
        using var reader = new CsvRecordReader(new StringReader(text));
        var records = new List<(long, string[], string, bool)>();
        while (reader.Read())
        {
            records.Add((reader.Line, Enumerable.Range(0, reader.FieldCount).Select(i => reader[i].ToString()).ToArray(), reader.RawText, reader.UnterminatedQuote));
        }

        return records;
    }

    [Fact]
    public void Csv_reader_handles_quotes_commas_and_line_breaks_inside_fields()
    {
        var records = ReadAll("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\nlast,,\n");

        Assert.Equal(3, records.Count);
        Assert.Equal(["x, y", "say \"hi\"", "two\nlines"], records[1].Fields);
        Assert.Equal("\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"", records[1].Raw);
        Assert.Equal(4, records[2].Line);
        Assert.Equal(["last", "", ""], records[2].Fields);
    }

    [Fact]
    public void Csv_reader_keeps_raw_text_of_records_that_span_buffer_refills()
    {
        var longField = new string('x', 200_000);
        var records = ReadAll($"h1,h2\n{longField},\"{longField}\"\r\nend,1");

        Assert.Equal(longField, records[1].Fields[0]);
        Assert.Equal(longField, records[1].Fields[1]);
        Assert.Equal($"{longField},\"{longField}\"", records[1].Raw);
        Assert.Equal(["end", "1"], records[2].Fields);
        Assert.Equal(3, records[2].Line);
    }

    [Fact]
    public void Csv_reader_keeps_only_the_start_of_a_record_over_the_limit_and_reads_on()
    {
        // 300,000 characters across several buffer refills, with a quoted line break inside, against a 1,000 limit.
        var huge = string.Join(",", Enumerable.Repeat("\"a\nb\"", 60_000));
        using var reader = new CsvRecordReader(new StringReader($"h1,h2\n{huge}\r\nnext,row\n"), maxRecordLength: 1_000);

        Assert.True(reader.Read());
        Assert.False(reader.Oversized);
        Assert.True(reader.Read());
        Assert.True(reader.Oversized);
        Assert.Equal(huge[..1_000], reader.RawText);
        Assert.True(reader.Read());
        Assert.False(reader.Oversized);
        Assert.Equal(["next", "row"], Enumerable.Range(0, reader.FieldCount).Select(i => reader[i].ToString()));
        Assert.Equal(3 + 60_000, reader.Line); // the record starts on line 2 and holds 60,000 line breaks
        Assert.False(reader.Read());
    }

    [Fact]
    public void A_row_over_the_record_limit_is_rejected_with_its_reason()
    {
        using var reader = new CsvRecordReader(new StringReader("event_time,user_id,event_type\n" + new string('x', 5_000)), maxRecordLength: 4_096);
        reader.Read();
        var validator = TestSources.Validator(["event_time", "user_id", "event_type"], out _)!;
        reader.Read();

        Assert.StartsWith("the row is longer than 4,096 characters", validator.Validate(reader, TestSources.Row()));
    }

    [Fact]
    public void Csv_reader_flags_an_unterminated_quote()
    {
        var records = ReadAll("a,b\n1,\"open\n2,3\n");
        Assert.True(records[1].Unterminated);
    }

    [Theory]
    [InlineData("2025-05-04 09:50:20.784808", "2025-05-04T09:50:20.7848080Z")]
    [InlineData("2025-05-04T09:50:20", "2025-05-04T09:50:20.0000000Z")]
    [InlineData("2025-05-04 09:50:20Z", "2025-05-04T09:50:20.0000000Z")]
    [InlineData("2025-05-04 01:30:00+08:00", "2025-05-03T17:30:00.0000000Z")]
    [InlineData("2025-05-03 22:30:00-05:00", "2025-05-04T03:30:00.0000000Z")]
    [InlineData("2024-02-29 23:59:59.999999999", "2024-02-29T23:59:59.9999990Z")]
    public void Timestamps_parse_to_utc(string text, string expected)
    {
        Assert.True(TimestampParser.TryParse(text, out var utc));
        Assert.Equal(DateTimeKind.Utc, utc.Kind);
        Assert.Equal(expected, utc.ToString("O"));
    }

    [Theory]
    [InlineData("2025-02-30 10:00:00")]
    [InlineData("2025-13-01 10:00:00")]
    [InlineData("2025-05-04 24:00:00")]
    [InlineData("2025-05-04 10:60:00")]
    [InlineData("2025-05-04")]
    [InlineData("2025-05-04 10:00")]
    [InlineData("2025/05/04 10:00:00")]
    [InlineData("2025-05-04 10:00:00.")]
    [InlineData("2025-05-04 10:00:00+25:00")]
    [InlineData("2025-05-04 10:00:00 UTC")]
    [InlineData("yesterday at noon")]
    public void Impossible_or_malformed_timestamps_are_invalid(string text) =>
        Assert.False(TimestampParser.TryParse(text, out _));

    private static (string? Reason, EventValues Row) Validate(string line, string header = "event_time,user_id,event_type,transaction_category,miles_amount,platform,utm_source,country")
    {
        using var reader = new CsvRecordReader(new StringReader(header + "\n" + line + "\n"));
        reader.Read();
        var names = Enumerable.Range(0, reader.FieldCount).Select(i => reader[i].ToString()).ToList();
        var validator = TestSources.Validator(names, out _)!;
        reader.Read();
        var row = TestSources.Row();
        var reason = validator.Validate(reader, row);
        return (reason, reason is null ? TestSources.Values(row) : null!);
    }

    [Theory]
    [InlineData(",u1,share,,,ios,organic,SG", "event_time is missing")]
    [InlineData("2025-02-30 10:00:00,u1,share,,,ios,organic,SG", "not a valid ISO 8601")]
    [InlineData("2025-01-01 10:00:00,  ,share,,,ios,organic,SG", "user_id is missing")]
    [InlineData("2025-01-01 10:00:00,u1,,,,ios,organic,SG", "event_type is missing")]
    [InlineData("2025-01-01 10:00:00,u1,Share,,,ios,organic,SG", "event_type 'Share' is not one of")]
    [InlineData("2025-01-01 10:00:00,u1,miles_earned,dining,,ios,organic,SG", "miles_amount is missing for miles_earned")]
    [InlineData("2025-01-01 10:00:00,u1,miles_redeemed,dining,-1,ios,organic,SG", "negative")]
    [InlineData("2025-01-01 10:00:00,u1,miles_earned,dining,abc,ios,organic,SG", "not a finite number")]
    [InlineData("2025-01-01 10:00:00,u1,miles_earned,dining,NaN,ios,organic,SG", "not a finite number")]
    [InlineData("2025-01-01 10:00:00,u1,miles_earned,dining,Infinity,ios,organic,SG", "not a finite number")]
    [InlineData("2025-01-01 10:00:00,u1,share,ios", "expected 8 fields, found 4")]
    [InlineData("", "empty line")]
    [InlineData("2025-01-01 10:00:00,u\01,share,,,ios,organic,SG", "field 2 contains a NUL character")]
    public void Rows_breaking_a_rule_are_rejected_with_the_reason(string line, string reason) =>
        Assert.Contains(reason, Validate(line).Reason);

    [Theory]
    [InlineData("0001-01-01T00:00:00Z", "event_time 0001-01-01T00:00:00Z is outside the accepted range, 2000-01-01T00:00:00Z up to 2100-01-01T00:00:00Z")]
    [InlineData("9999-12-31T23:59:59.9999999Z", "event_time 9999-12-31T23:59:59.999999Z is outside")]
    [InlineData("1999-12-31 23:59:59.999999", "event_time 1999-12-31T23:59:59.999999Z is outside")]
    [InlineData("2000-01-01T00:30:00+01:00", "event_time 1999-12-31T23:30:00Z is outside")]
    [InlineData("2100-01-01 00:00:00", "event_time 2100-01-01T00:00:00Z is outside")]
    [InlineData("2099-12-31T23:30:00-01:00", "widen the range with Analytics__Ingest__EventTimeFrom or Analytics__Ingest__EventTimeUntil")]
    public void Event_times_outside_the_accepted_range_are_rejected_naming_it_and_the_settings(string time, string reason) =>
        Assert.Contains(reason, Validate($"{time},u1,share,,,ios,organic,SG").Reason);

    [Theory]
    [InlineData("2000-01-01 00:00:00")]
    [InlineData("1999-12-31T23:30:00-01:00")]
    [InlineData("2099-12-31 23:59:59.999999")]
    public void Event_times_at_the_edges_inside_the_range_are_accepted(string time) =>
        Assert.Null(Validate($"{time},u1,share,,,ios,organic,SG").Reason);

    [Fact]
    public void The_widest_range_accepts_every_time_the_parser_reads()
    {
        Assert.True(EventTimeRange.Widest.Contains(DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc)));
        Assert.True(EventTimeRange.Widest.Contains(DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc)));
        Assert.Equal(EventTimeRange.Default, EventTimeRange.Parse(" ", null));
        Assert.Equal(new DateTime(2020, 1, 1, 12, 0, 0, DateTimeKind.Utc), EventTimeRange.Parse("2020-01-01T13:00:00+01:00", null).From);
    }

    [Fact]
    public void Valid_rows_are_trimmed_typed_and_empty_optionals_are_null()
    {
        var (reason, row) = Validate(" 2025-01-01T23:30:00-02:00 , u1 ,miles_earned, ,12.50,  ,organic,SG");
        Assert.Null(reason);
        Assert.Equal(new DateTime(2025, 1, 2, 1, 30, 0, DateTimeKind.Utc), row.EventTime);
        Assert.Equal("u1", row.UserId);
        Assert.Null(row.TransactionCategory);
        Assert.Null(row.Platform);
        Assert.Equal(12.50m, row.MilesAmount);
    }

    [Fact]
    public void Event_id_is_the_same_for_equal_normalised_values_and_differs_otherwise()
    {
        var a = Validate("2025-01-01 10:00:00,u1,miles_earned,dining,516.0,ios,organic,SG").Row;
        var same = Validate(" 2025-01-01T12:00:00+02:00 , u1 ,miles_earned,dining,516,ios,organic,SG").Row;
        var nullCategory = Validate("2025-01-01 10:00:00,u1,miles_earned,,516,ios,organic,SG").Row;
        var otherMiles = Validate("2025-01-01 10:00:00,u1,miles_earned,dining,516.1,ios,organic,SG").Row;

        Assert.Equal(a.EventId, same.EventId);
        Assert.NotEqual(a.EventId, nullCategory.EventId);
        Assert.NotEqual(a.EventId, otherMiles.EventId);
        Assert.Equal(a.EventId, Validate("2025-01-01 10:00:00,u1,miles_earned,dining,516.0,ios,organic,SG").Row.EventId);
    }

    [Fact]
    public void Miles_amount_is_ignored_for_events_that_are_not_miles()
    {
        Assert.Null(Validate("2025-01-01 10:00:00,u1,share,,oops,ios,organic,SG").Reason);
        Assert.Equal(5m, Validate("2025-01-01 10:00:00,u1,like,,5,ios,organic,SG").Row.MilesAmount);
    }

    [Fact]
    public void Columns_may_come_in_any_order_and_optional_ones_may_be_absent()
    {
        var (reason, row) = Validate("share,u9,2025-03-01 00:00:00", "event_type,user_id,event_time");
        Assert.Null(reason);
        Assert.Equal("u9", row.UserId);
        Assert.Null(row.Country);
    }

    [Fact]
    public void A_header_without_a_required_column_names_it()
    {
        TestSources.Validator(["event_time", "event_type", "country"], out var problem);
        Assert.Contains("user_id", problem);
    }

    /// <summary>
    /// event_ids computed before raw_events was declared as data (by the C# event schema it replaced), pinned: the
    /// declaration's identity rule must give every event the id it had, or an incremental run would see old events as new.
    /// </summary>
    [Theory]
    [InlineData("2025-01-05 09:00:00,u9,like,,,ios,google,SG", "00c4cdb6-948e-f19b-afbf-f8396e6b92ea")]
    [InlineData("2025-03-01T12:30:15.784808Z,user-1,miles_earned,dining,516.0,android,organic,SG", "fa1d20ba-7eb6-91f9-a90d-e69ad14238bd")]
    [InlineData("2025-03-01 12:30:15.784808,user-1,miles_earned, dining ,516,android,organic,SG", "fa1d20ba-7eb6-91f9-a90d-e69ad14238bd")]
    public void Event_ids_are_those_the_events_had_before_their_schema_was_declared(string line, string id) =>
        Assert.Equal(Guid.Parse(id), Validate(line).Row.EventId);

    [Fact]
    public void A_tenant_enters_the_event_id_only_when_the_file_has_the_column()
    {
        Assert.Equal(Guid.Parse("0052135a-855f-5bbc-38e3-43816616f3bc"),
            Validate("2025-01-05 09:00:00,u9,like,,,ios,google,SG,acme", TestFiles.Header + ",tenant_id").Row.EventId);
        // A long value takes the identity's heap path: the same layout, the same id as before.
        Assert.Equal(Guid.Parse("20320b57-fc22-9816-111f-9eb5fef44116"),
            Validate($"2025-01-05 09:00:00,{new string('x', 600)},share,,-3.25,,,").Row.EventId);
    }
}
