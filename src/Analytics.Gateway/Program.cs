using Analytics.Gateway.Extensions;
using Yarp.ReverseProxy.ServiceDiscovery;

// One origin for the app: /api and /openapi to the catalog API, /superset to Superset, / to the web UI.
// Routes and clusters come from the ReverseProxy configuration section, which the AppHost fills; destinations
// are service names (http://api) that service discovery resolves.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));
builder.Services.AddSingleton<IDestinationResolver, ServiceDiscoveryDestinationResolver>();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapReverseProxy();

app.Run();
