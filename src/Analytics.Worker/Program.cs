using Analytics.Orchestration;

// A queue worker: takes runs from the run store and executes them. Start as many as the work needs.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
await builder.AddAnalyticsAsync();
builder.AddRunWorker();

var app = builder.Build();

app.MapDefaultEndpoints();

await app.RunAsync();
