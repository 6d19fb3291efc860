using System.Net;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.ServiceDiscovery;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.ServiceDiscovery;

namespace Analytics.Gateway.Extensions;

/// <summary>
/// Resolves YARP destinations such as <c>http://api</c> through service discovery, so the gateway reads the same
/// <c>services__api__http__N</c> variables as every other service. (Aspire's Microsoft.Extensions.ServiceDiscovery.Yarp
/// does this, and is not served here.) A destination that names no known service keeps its address.
/// </summary>
public sealed class ServiceDiscoveryDestinationResolver(ServiceEndpointResolver resolver, ILogger<ServiceDiscoveryDestinationResolver> logger)
    : IDestinationResolver
{
    public async ValueTask<ResolvedDestinationCollection> ResolveDestinationsAsync(
        IReadOnlyDictionary<string, DestinationConfig> destinations, CancellationToken cancellationToken)
    {
        var resolved = new Dictionary<string, DestinationConfig>(StringComparer.OrdinalIgnoreCase);
        var changeTokens = new List<IChangeToken>();
        foreach (var (name, destination) in destinations)
        {
            var source = await resolver.GetEndpointsAsync(destination.Address, cancellationToken);
            changeTokens.Add(source.ChangeToken);
            if (source.Endpoints.Count == 0)
            {
                logger.LogWarning("Destination {Destination} ({Address}) resolved to no endpoint", name, destination.Address);
                continue;
            }

            var scheme = new Uri(destination.Address).Scheme;
            for (var i = 0; i < source.Endpoints.Count; i++)
            {
                var address = Address(scheme, source.Endpoints[i].EndPoint);
                resolved[source.Endpoints.Count == 1 ? name : $"{name}[{i}]"] = destination with { Address = address };
            }
        }

        return new ResolvedDestinationCollection(resolved, new CompositeChangeToken(changeTokens));
    }

    private static string Address(string scheme, EndPoint endPoint) => endPoint switch
    {
        UriEndPoint uri => uri.Uri.ToString(),
        IPEndPoint ip => $"{scheme}://{ip}",
        DnsEndPoint dns => $"{scheme}://{dns.Host}:{dns.Port}",
        _ => throw new InvalidOperationException($"Service discovery returned an endpoint of an unknown kind: {endPoint}"),
    };
}
