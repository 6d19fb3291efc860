using System.Security.Cryptography;
using System.Text;
using Analytics.Core.Access;
using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Core.Templating;
using Analytics.Warehouse.Postgres;

namespace Analytics.Core.Tests;

/// <summary>Column classification in asset headers, the check it generates, and the masking function every warehouse shares.</summary>
public class ClassificationDeclarationTests
{
    private static AssetDefinition Parse(string header) =>
        AssetFileParser.Parse("assets-sql/core/users.sql", "core", $"/*\n{header}\n*/\nselect 1 as user_id, 'x' as email").Asset;

    [Fact]
    public void A_header_classifies_columns_and_gets_a_check_that_they_exist()
    {
        var asset = Parse("description: Users.\nclassification: {user_id: pii, email: pii}");

        Assert.Equal(new Dictionary<string, string> { ["user_id"] = "pii", ["email"] = "pii" }, asset.Classification);
        var check = Assert.Single(asset.Checks);
        Assert.Equal(("users__classified_columns_exist", CheckKind.ClassifiedColumns, CheckSeverity.Error), (check.Name, check.Kind, check.Severity));
        Assert.Equal(["email", "user_id"], check.Columns);
        // Reads no row; a column the table lacks makes the statement (and so the check) fail, naming it.
        Assert.Equal("select email, user_id from \"core\".\"users\" limit 0",
            CheckSqlBuilder.FailingRows(check, PostgresDialect.Instance.Relation("core", "users"), PostgresDialect.Instance, _ => ""));
    }

    [Fact]
    public void An_asset_without_classification_has_none_and_no_generated_check()
    {
        var asset = Parse("description: Users.");
        Assert.Empty(asset.Classification);
        Assert.Empty(asset.Checks);
    }

    [Theory]
    [InlineData("classification: {user_id: secret}", "column 'user_id' has the class 'secret', which is not one", "write e.g. 'classification: {user_id: pii}' (classes: pii)")]
    [InlineData("classification: [user_id]", "classification must map columns to a class", "write e.g. 'classification: {user_id: pii}'")]
    [InlineData("classification: {\"user id\": pii}", "names 'user id', which is not a column name", "(letters, digits, underscores)")]
    [InlineData("classification: {user_id: [pii]}", "column 'user_id' has the class '", "(classes: pii)")]
    public void A_bad_classification_names_the_file_the_line_and_the_fix(string line, string problem, string fix)
    {
        var error = Assert.Throws<AssetDeclarationException>(() => Parse($"description: Users.\n{line}"));
        // Line 3: the header comment opens on line 1, the description is line 2.
        Assert.StartsWith("assets-sql/core/users.sql:3: ", error.Message);
        Assert.Contains(problem, error.Message);
        Assert.Contains(fix, error.Message);
    }

    [Fact]
    public void More_columns_than_a_header_may_classify_are_refused()
    {
        var columns = string.Join(", ", Enumerable.Range(0, AssetFileParser.MaxClassifiedColumns + 1).Select(i => $"c{i}: pii"));
        var error = Assert.Throws<AssetDeclarationException>(() => Parse($"classification: {{{columns}}}"));
        Assert.Contains($"more than the {AssetFileParser.MaxClassifiedColumns}", error.Message);
    }

    [Fact]
    public void A_masked_value_is_the_first_64_bits_of_sha256_over_the_key_then_the_text()
    {
        byte[] key = [1, 2, 3];
        // Worked by hand: SHA-256 of the bytes 01 02 03 then "u_0001" in UTF-8.
        var expected = "masked:" + Convert.ToHexStringLower(SHA256.HashData([1, 2, 3, .. Encoding.UTF8.GetBytes("u_0001")]))[..16];
        Assert.Equal(expected, ReadScope.Mask(key, "u_0001"));
        Assert.Equal(ReadScope.Mask(key, "u_0001"), ReadScope.Mask(key, "u_0001"));
        Assert.NotEqual(ReadScope.Mask(key, "u_0001"), ReadScope.Mask(key, "u_0002"));
        Assert.NotEqual(ReadScope.Mask(key, "u_0001"), ReadScope.Mask([1, 2, 4], "u_0001"));
    }

    [Fact]
    public void Who_reads_pii_in_the_clear_an_admin_or_a_key_granted_it()
    {
        var asset = Parse("classification: {user_id: pii}");
        Assert.Empty(ReadScope.For(new Principal("root", Role.Admin), asset, [9]).Masked);
        Assert.Empty(ReadScope.For(new Principal("analyst", Role.Viewer, Pii: true), asset, [9]).Masked);
        Assert.Equal(["user_id"], ReadScope.For(new Principal("bot", Role.Operator), asset, [9]).Masked);
        Assert.Equal(["user_id"], ReadScope.For(Principal.Anonymous, asset, [9]).Masked);
    }
}
