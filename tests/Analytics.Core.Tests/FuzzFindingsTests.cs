using System.Text;
using Analytics.Core.Assets;
using Analytics.Core.Selection;

namespace Analytics.Core.Tests;

/// <summary>
/// Every input scripts/fuzz found crashing a parser (FuzzFindings/, byte for byte) now gets the parser's own error:
/// a mistake in the file or the selection, never an exception from inside a library.
/// </summary>
public class FuzzFindingsTests
{
    public static TheoryData<string> Findings(string prefix) =>
        new(Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "FuzzFindings"), prefix + "*").Select(Path.GetFileName)!);

    private static string Read(string name) =>
        new UTF8Encoding(false, throwOnInvalidBytes: false).GetString(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "FuzzFindings", name)));

    [Theory]
    [MemberData(nameof(Findings), "asset-header-")]
    public void An_asset_file_that_crashed_the_parser_is_a_declaration_error(string name)
    {
        var error = Assert.Throws<AssetDeclarationException>(() => AssetFileParser.Parse("assets-sql/marts/fuzz.sql", "marts", Read(name)));
        Assert.StartsWith("assets-sql/marts/fuzz.sql", error.Message);
    }

    [Theory]
    [MemberData(nameof(Findings), "selection-")]
    public void A_selection_that_crashed_the_parser_is_a_selection_error(string name) =>
        Assert.Throws<SelectionException>(() => SelectionParser.Parse(Read(name)));
}
