namespace AppHost;

/// <summary>The Superset container and the address it serves on (fixed before it starts; see <see cref="SupersetExtensions"/>).</summary>
public sealed record SupersetContainer(IResourceBuilder<ContainerResource> Container, string Url);
