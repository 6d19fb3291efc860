using Analytics.Testing;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Tests;

/// <summary>The API's own settings are checked when it starts, like every area's (issue 32).</summary>
public sealed class ApiSettingsTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public void An_api_key_no_client_could_send_stops_the_api_at_start_naming_the_setting()
    {
        var error = Record.Exception(() => new ApiHost(db.ConnectionString, TestFiles.RepositoryAssets, inProcessWorker: false,
            new Dictionary<string, string?> { ["Analytics:ApiKey"] = "two words" }).Dispose());

        var failure = Assert.IsType<OptionsValidationException>(error is AggregateException { InnerExceptions.Count: 1 } one ? one.InnerException : error);
        Assert.StartsWith("Analytics:ApiKey must be 1 to 1,024 printable ASCII characters without spaces", Assert.Single(failure.Failures));
    }
}
