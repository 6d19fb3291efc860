using System.Globalization;
using Analytics.Core.Ingest;
using Analytics.Core.Sources;
using ExcelDataReader;
using ExcelDataReader.Exceptions;

namespace Analytics.Ingest;

public static partial class SourceFileReader
{
    /// <summary>
    /// A spreadsheet (.xlsx), streamed row by row: the declared sheet (else the first), the header on the declared row,
    /// then one record per row; wholly empty rows (trailing ones, spacers) are skipped. A cell's text is its value as
    /// stored, a formula's its cached result; a date cell, or a number in a date or timestamp column (an Excel date
    /// serial), reads as an ISO date and time. A protected file, a missing sheet, or a header with merged cells is
    /// refused whole.
    /// </summary>
    private static void ReadSpreadsheet(SourceDeclaration source, FileOrigin origin, IngestFile file, string path, EventTimeRange times, Rows rows)
    {
        // The zip inside needs a seekable stream: the bytes go to a private copy as they are hashed (and checked against the
        // hash taken at open, once read), and the copy is what is read.
        var copy = Path.Combine(Path.GetTempPath(), $"analytics-xlsx-{Guid.NewGuid():N}.xlsx");
        try
        {
            using (var target = new FileStream(copy, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                file.Read().CopyTo(target);
            }

            using var stream = new FileStream(copy, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            using var reader = Open(stream, path);
            SelectSheet(reader, origin, path);
            ReadSheet(source, origin, reader, path, times, rows);
        }
        finally
        {
            File.Delete(copy);
        }
    }

    /// <summary>The signature of an OLE compound file: what an encrypted .xlsx (or an old .xls) is, not a zip.</summary>
    private static readonly byte[] CompoundFile = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

    private static IExcelDataReader Open(Stream stream, string path)
    {
        var start = new byte[CompoundFile.Length];
        var read = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        stream.Position = 0;
        if (read == start.Length && start.AsSpan().SequenceEqual(CompoundFile))
        {
            // Excel's "Encrypt with password" wraps the workbook in a compound file; so does the old .xls format.
            throw new IngestException(path, 0, "the spreadsheet is password-protected (or an old .xls): it is a compound file, not an .xlsx package; "
                                               + "save a copy as .xlsx without the password and load that");
        }

        try
        {
            // The reader's configuration names Windows-1252 as its fallback (for the old binary formats) as it is made.
            System.Text.Encoding.RegisterProvider(System.Text.CodePagesEncodingProvider.Instance);
            return ExcelReaderFactory.CreateOpenXmlReader(stream);
        }
        catch (Exception e) when (e is InvalidPasswordException or CompoundDocumentException)
        {
            throw new IngestException(path, 0, "the spreadsheet is password-protected; save a copy without the password and load that");
        }
        catch (Exception e) when (e is HeaderException or InvalidDataException or System.Xml.XmlException or NotSupportedException)
        {
            throw new IngestException(path, 0, $"the file is not an .xlsx spreadsheet ({e.Message}); save it from the spreadsheet program as .xlsx");
        }
    }

    private static void SelectSheet(IExcelDataReader reader, FileOrigin origin, string path)
    {
        if (origin.Sheet is null)
        {
            return;
        }

        var names = new List<string>();
        do
        {
            if (reader.Name == origin.Sheet)
            {
                return;
            }

            names.Add(reader.Name);
        }
        while (reader.NextResult());

        throw new IngestException(path, 0, $"the spreadsheet has no sheet named '{origin.Sheet}' (it has {string.Join(", ", names.Select(n => $"'{n}'"))}); "
                                            + "name one of them in the source's from: sheet");
    }

    private static void ReadSheet(SourceDeclaration source, FileOrigin origin, IExcelDataReader reader, string path, EventTimeRange times, Rows rows)
    {
        long line = 0;
        while (line < origin.HeaderRow)
        {
            if (!reader.Read())
            {
                throw new IngestException(path, line, $"the sheet '{reader.Name}' ends before its header row ({origin.HeaderRow}); "
                                                      + "put the header there, or set from: header_row");
            }

            line++;
        }

        var header = Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture) ?? "").ToList();
        // Trailing empty header cells are formatting, not columns.
        while (header.Count > 0 && header[^1].Trim().Length == 0)
        {
            header.RemoveAt(header.Count - 1);
        }

        var merged = reader.MergeCells?.FirstOrDefault(m => m.FromRow <= origin.HeaderRow - 1 && m.ToRow >= origin.HeaderRow - 1);
        if (merged is not null)
        {
            throw new IngestException(path, line, $"the header row has merged cells (columns {merged.FromColumn + 1} to {merged.ToColumn + 1}); "
                                                  + "unmerge them so each column has its own name");
        }

        var map = SourceHeader.Map(source, header, out var problem);
        if (problem is not null)
        {
            throw new IngestException(path, line, problem);
        }

        var validator = new SourceRowValidator(source, map, header.Count, times);
        var record = new SheetRecord(source, map, header.Count);
        while (reader.Read())
        {
            line++;
            if (record.Load(reader))
            {
                rows.Take(validator, record, line);
            }
        }

        rows.Report();
    }

    /// <summary>One spreadsheet row as text fields, as many as the header has.</summary>
    private sealed class SheetRecord : ISourceRecord
    {
        private readonly string[] _values;
        private readonly bool[] _dated;

        public SheetRecord(SourceDeclaration source, int[] map, int fields)
        {
            _values = new string[fields];
            _dated = new bool[fields];
            for (var c = 0; c < map.Length; c++)
            {
                if (map[c] >= 0)
                {
                    _dated[map[c]] = source.Columns[c].Type is SourceColumnType.Timestamp or SourceColumnType.Date;
                }
            }
        }

        public int FieldCount => _values.Length;

        public ReadOnlySpan<char> this[int index] => _values[index];

        public string RawText => string.Join(",", _values.Select(v => v.Contains(',') || v.Contains('"') ? "\"" + v.Replace("\"", "\"\"") + "\"" : v));

        public string? Problem => null;

        /// <summary>Reads the row's cells; false for a row with no value in any cell.</summary>
        public bool Load(IExcelDataReader reader)
        {
            var any = false;
            for (var i = 0; i < _values.Length; i++)
            {
                var value = i < reader.FieldCount ? reader.GetValue(i) : null;
                _values[i] = value switch
                {
                    null => "",
                    DateTime time => Iso(time),
                    double serial when _dated[i] && serial is > -657435 and < 2958466 => Iso(DateTime.FromOADate(serial)),
                    double number => number.ToString("R", CultureInfo.InvariantCulture),
                    bool flag => flag ? "true" : "false",
                    _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
                };
                any |= _values[i].Trim().Length > 0;
            }

            return any;
        }

        private static string Iso(DateTime time) => time.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
    }
}
