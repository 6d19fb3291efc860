// One origin for the app: /api and /openapi to the catalog API, /superset to Superset, / to the web UI.
// Routes and clusters come from the ReverseProxy configuration section, which the AppHost fills.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapReverseProxy();

app.Run();
