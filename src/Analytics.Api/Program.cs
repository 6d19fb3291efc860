using Analytics.Api.Apis;
using Analytics.Api.Extensions;
using Analytics.Orchestration;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
await builder.AddAnalyticsAsync();
builder.AddCatalogApi();

var app = builder.Build();

app.UseCatalogApi();
app.MapDefaultEndpoints();
app.MapAssetsApi();
app.MapGraphApi();
app.MapRunsApi();
app.MapMartsApi();
app.MapDashboardsApi();
app.MapPartitionsApi();
app.MapAutomationApi();
app.MapSourcesApi();
app.MapKeysApi();
app.MapAuditApi();
app.MapErasuresApi();
app.MapWebApp();

await app.RunAsync();

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
