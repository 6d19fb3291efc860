using System.Diagnostics;
using System.Text.Json;
using Analytics.Testing;

namespace Analytics.Api.Tests;

/// <summary>
/// An outside linter reads the OpenAPI document the API serves: Redocly's recommended rules, from
/// <c>tools/openapi-lint</c> (npm, installed by scripts/ensure-prerequisites), configured by its redocly.yaml,
/// which says why the one rule it turns off does not apply.
/// </summary>
public sealed class OpenApiLintTests : IClassFixture<DatabaseFixture>, IDisposable
{
    private readonly ApiHost _api;

    public OpenApiLintTests(DatabaseFixture db) => _api = new ApiHost(db.ConnectionString, TestFiles.RepositoryAssets, inProcessWorker: false);

    public void Dispose() => _api.Dispose();

    [Fact]
    public async Task The_served_document_passes_redocly_recommended_rules_with_no_error_or_warning_under_the_recommended_rules()
    {
        var tool = Path.Combine(TestFiles.RepositoryRoot, "tools", "openapi-lint");
        var redocly = Path.Combine(tool, "node_modules", "@redocly", "cli", "bin", "cli.js");
        Assert.True(File.Exists(redocly), $"{redocly} is missing: run scripts/ensure-prerequisites (it runs npm ci in tools/openapi-lint)");
        var document = Path.Combine(TestFiles.Folder(), "openapi.json");
        await File.WriteAllTextAsync(document, await _api.Client(withKey: false).GetStringAsync("/openapi/v1.json"));

        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { redocly, "lint", document, "--config", Path.Combine(tool, "redocly.yaml"), "--format", "json", "--max-problems", "200" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        using var lint = Process.Start(start)!;
        var output = lint.StandardOutput.ReadToEndAsync();
        var errors = lint.StandardError.ReadToEndAsync();
        await lint.WaitForExitAsync();

        var json = await output;
        var report = JsonDocument.Parse(json[json.IndexOf('{')..]).RootElement;
        var problems = report.GetProperty("problems").EnumerateArray()
            .Select(p => $"{p.GetProperty("severity").GetString()} {p.GetProperty("ruleId").GetString()}: {p.GetProperty("message").GetString()} "
                         + $"at {string.Join(" ", p.GetProperty("location").EnumerateArray().Select(l => l.GetProperty("pointer").GetString()))}")
            .ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems) + "\n" + await errors);
        Assert.Equal(0, lint.ExitCode);
    }
}
