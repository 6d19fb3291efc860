using System.IO.Compression;
using System.Security;
using System.Text;

namespace Analytics.Testing;

/// <summary>
/// A spreadsheet written part by part, so a test controls exactly what a cell is: a number, an inline string, a
/// number with a date format, a formula with its cached result, merged cells, empty rows. Cells are given per row,
/// from column A; null leaves a cell out.
/// </summary>
public sealed class XlsxFile
{
    private readonly List<(string Name, List<object?[]> Rows, List<string> Merged)> _sheets = [];

    /// <summary>A number shown with a date format (style 1, numFmt 14): Excel's date cell.</summary>
    public sealed record DateCell(double Serial);

    /// <summary>A formula and the result Excel cached for it.</summary>
    public sealed record FormulaCell(string Formula, object Cached);

    public XlsxFile Sheet(string name, IEnumerable<object?[]> rows, params string[] merged)
    {
        _sheets.Add((name, rows.ToList(), merged.ToList()));
        return this;
    }

    public string Write(string? path = null)
    {
        path ??= Path.Combine(TestFiles.Folder(), "report.xlsx");
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        Part(zip, "[Content_Types].xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
            <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
            <Default Extension="xml" ContentType="application/xml"/>
            <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
            <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
            """ + string.Concat(_sheets.Select((_, i) =>
                $"<Override PartName=\"/xl/worksheets/sheet{i + 1}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"))
            + "</Types>");
        Part(zip, "_rels/.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
            </Relationships>
            """);
        Part(zip, "xl/workbook.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>
            """ + string.Concat(_sheets.Select((s, i) => $"<sheet name=\"{SecurityElement.Escape(s.Name)}\" sheetId=\"{i + 1}\" r:id=\"rId{i + 1}\"/>"))
            + "</sheets></workbook>");
        Part(zip, "xl/_rels/workbook.xml.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
            """ + string.Concat(_sheets.Select((_, i) =>
                $"<Relationship Id=\"rId{i + 1}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet{i + 1}.xml\"/>"))
            + $"<Relationship Id=\"rId{_sheets.Count + 1}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
            + "</Relationships>");
        Part(zip, "xl/styles.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
            <fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders>
            <cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs>
            <cellXfs count="2"><xf numFmtId="0" xfId="0"/><xf numFmtId="14" xfId="0" applyNumberFormat="1"/></cellXfs>
            </styleSheet>
            """);
        for (var i = 0; i < _sheets.Count; i++)
        {
            Part(zip, $"xl/worksheets/sheet{i + 1}.xml", SheetXml(_sheets[i].Rows, _sheets[i].Merged));
        }

        return path;
    }

    private static string SheetXml(List<object?[]> rows, List<string> merged)
    {
        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
                                    + "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>");
        for (var r = 0; r < rows.Count; r++)
        {
            xml.Append($"<row r=\"{r + 1}\">");
            for (var c = 0; c < rows[r].Length; c++)
            {
                var at = $"{(char)('A' + c)}{r + 1}";
                xml.Append(rows[r][c] switch
                {
                    null => "",
                    string text => $"<c r=\"{at}\" t=\"inlineStr\"><is><t xml:space=\"preserve\">{SecurityElement.Escape(text)}</t></is></c>",
                    DateCell date => $"<c r=\"{at}\" s=\"1\"><v>{Number(date.Serial)}</v></c>",
                    FormulaCell { Cached: string text } formula => $"<c r=\"{at}\" t=\"str\"><f>{SecurityElement.Escape(formula.Formula)}</f><v>{SecurityElement.Escape(text)}</v></c>",
                    FormulaCell formula => $"<c r=\"{at}\"><f>{SecurityElement.Escape(formula.Formula)}</f><v>{Number(Convert.ToDouble(formula.Cached))}</v></c>",
                    bool flag => $"<c r=\"{at}\" t=\"b\"><v>{(flag ? 1 : 0)}</v></c>",
                    var number => $"<c r=\"{at}\"><v>{Number(Convert.ToDouble(number))}</v></c>",
                });
            }

            xml.Append("</row>");
        }

        xml.Append("</sheetData>");
        if (merged.Count > 0)
        {
            xml.Append($"<mergeCells count=\"{merged.Count}\">").Append(string.Concat(merged.Select(m => $"<mergeCell ref=\"{m}\"/>"))).Append("</mergeCells>");
        }

        return xml.Append("</worksheet>").ToString();
    }

    private static string Number(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    private static void Part(ZipArchive zip, string name, string content)
    {
        using var stream = zip.CreateEntry(name).Open();
        var bytes = Encoding.UTF8.GetBytes(content.Trim());
        stream.Write(bytes);
    }
}
