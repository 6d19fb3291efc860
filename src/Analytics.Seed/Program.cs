using Analytics.Seed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// The sample-data job: on an empty warehouse, writes sample events, ingests them and asks the API (through the
// gateway, found by service discovery) to materialize everything; then follows that run to its end. Exit code 0
// when there was nothing to do or the run succeeded, 1 when it did not.
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.ClearProviders(); // its console is the lines it writes itself; the logs go to the dashboard over OTLP
builder.AddServiceDefaults();
builder.Services.AddHttpClient(SampleData.Gateway, http => http.BaseAddress = new Uri("http://gateway"));
builder.Services.AddSingleton<SampleData>();
using var host = builder.Build();
await host.StartAsync();
var exitCode = await host.Services.GetRequiredService<SampleData>().RunAsync(host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
await host.StopAsync(); // flushes the telemetry
return exitCode;
