using System.CommandLine;
using System.Text.Json;
using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Core.Settings;
using Analytics.Orchestration;
using Analytics.RunStore;
using Analytics.Superset;
using Analytics.Warehouse.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Analytics.Cli.Commands;

/// <summary>
/// <c>superset bundle</c> writes the Growth dashboard as a Superset v1 import bundle generated from the catalog;
/// <c>superset publish</c> imports it through Superset's REST API. Credentials come from SUPERSET_USERNAME and
/// SUPERSET_PASSWORD, the warehouse password from the warehouse connection; none is ever printed.
/// </summary>
public static class SupersetCommand
{
    public static Command Create(TextWriter output, AnalyticsSettings settings)
    {
        var outFile = new Option<string>("--out") { Description = "the bundle (.zip) to write", Required = true };
        var databaseUri = new Option<string?>("--database-uri")
        {
            Description = "the warehouse as Superset reaches it (SQLAlchemy URI; default: from the warehouse connection). Its password is masked in the bundle",
        };
        var readerPassword = ReaderPasswordOption();
        var bundle = new Command("bundle", "Write the Growth dashboard as a Superset import bundle, from the catalog.") { outFile, databaseUri, readerPassword };
        bundle.SetAction(async (parse, cancellationToken) =>
        {
            await using var host = await CliHost.StartAsync(settings, cancellationToken);
            var reader = parse.GetValue(readerPassword) ?? Configured(host).ReaderPassword;
            var (zip, counts) = await BuildAsync(host, settings, parse.GetValue(databaseUri), reader, cancellationToken);
            var path = parse.GetValue(outFile)!;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            await File.WriteAllBytesAsync(path, zip, cancellationToken);
            output.WriteLine($"{path}: Superset bundle with {counts.Marts} mart datasets and {counts.Charts} charts; it passes the import rules");
            return CliApp.Ok;
        });

        var url = new Option<string>("--url") { Description = "Superset's address, e.g. http://127.0.0.1:8088", Required = true };
        var bundleFile = new Option<string?>("--bundle") { Description = "a bundle written by 'superset bundle' (default: build one now)" };
        var publishUri = new Option<string?>("--database-uri") { Description = "as for 'superset bundle', when the bundle is built now" };
        var publishReader = ReaderPasswordOption();
        var publish = new Command("publish", "Import the Growth dashboard into Superset (SUPERSET_USERNAME, SUPERSET_PASSWORD); running it again changes nothing.")
        {
            url, bundleFile, publishUri, publishReader,
        };
        publish.SetAction(async (parse, cancellationToken) =>
        {
            await using var host = await CliHost.StartAsync(settings, cancellationToken);
            var configured = Configured(host);
            var (username, password) = (configured.Username, configured.Password);
            if (string.IsNullOrEmpty(username) || string.IsNullOrEmpty(password))
            {
                throw new ArgumentException("Set Analytics__Superset__Username and Analytics__Superset__Password (or SUPERSET_USERNAME and "
                                            + "SUPERSET_PASSWORD) to a Superset admin's login (the AppHost passes the one it creates).");
            }

            if (!Uri.TryCreate(parse.GetValue(url), UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
            {
                throw new ArgumentException($"--url '{parse.GetValue(url)}' is not an http(s) address; give Superset's, e.g. http://127.0.0.1:8088.");
            }

            var reader = parse.GetValue(publishReader) ?? configured.ReaderPassword;
            var zip = parse.GetValue(bundleFile) is { } file
                ? await File.ReadAllBytesAsync(file, cancellationToken)
                : (await BuildAsync(host, settings, parse.GetValue(publishUri), reader, cancellationToken)).Zip;
            // The password Superset connects with: the one in --database-uri when given, else the reader role's, else the warehouse connection's.
            var warehousePassword = (parse.GetValue(publishUri) is { } given ? BundleBuilder.PasswordOf(given) : null)
                                    ?? reader
                                    ?? new NpgsqlConnectionStringBuilder(settings.WarehouseConnection ?? "").Password ?? "";
            try
            {
                var dashboard = await new SupersetPublisher(baseUrl).PublishAsync(new MemoryStream(zip), username, password, warehousePassword, cancellationToken);
                output.WriteLine($"Growth dashboard published: {dashboard}");
                return CliApp.Ok;
            }
            catch (Exception e) when (e is SupersetPublishException or HttpRequestException)
            {
                throw new ArgumentException(e is HttpRequestException ? $"Superset at {baseUrl} did not answer ({e.Message}); is it running?" : e.Message);
            }
        });

        return new Command("superset", "Superset dashboards from the marts: bundle and publish.") { bundle, publish };
    }

    private static Option<string?> ReaderPasswordOption() => new("--reader-password")
    {
        Description = $"let Superset connect as the role {PostgresWarehouse.SupersetRole}, which reads the marts' unclassified columns only: gives it "
                      + "this password (12 to 128 letters, digits, '.', '_', '~', '-') and a login. Default: Analytics__Superset__ReaderPassword (ANALYTICS_SUPERSET_READER_PASSWORD)",
    };

    /// <summary>The Superset settings the command's host bound (and checked when it started).</summary>
    private static SupersetOptions Configured(CliHost host) => host.Services.GetRequiredService<IOptions<SupersetOptions>>().Value;

    /// <summary>
    /// Gives the Superset role a login with <paramref name="password"/>. The password is a literal of the statement
    /// (ALTER ROLE takes no parameters), so it is held to characters that need no quoting at all.
    /// </summary>
    private static async Task EnableReaderAsync(IWarehouse warehouse, string password, CancellationToken cancellationToken)
    {
        if (!SupersetOptions.IsReaderPassword(password))
        {
            throw new ArgumentException("--reader-password must be 12 to 128 letters, digits, '.', '_', '~' or '-'; generate one, e.g. with 'openssl rand -hex 24'.");
        }

        if (warehouse is not PostgresWarehouse postgres)
        {
            throw new ArgumentException("--reader-password applies to the PostgreSQL warehouse; on BigQuery, grant Superset's service account the marts' policy-tagged columns instead.");
        }

        await postgres.EnsureSchemaAsync([], cancellationToken);
        await using var command = postgres.DataSource.CreateCommand($"alter role {PostgresWarehouse.SupersetRole} with login password '{password}'");
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedObject or PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new ArgumentException($"the role {PostgresWarehouse.SupersetRole} cannot be given a login here ({e.MessageText}); "
                                        + "the warehouse's login needs CREATEROLE, or an administrator runs: "
                                        + $"create role {PostgresWarehouse.SupersetRole} login password '...'.");
        }
    }

    /// <summary>The bundle's bytes, built from the marts' columns as their latest materialization recorded them, and validated.</summary>
    private static async Task<(byte[] Zip, (int Marts, int Charts) Counts)> BuildAsync(CliHost host, AnalyticsSettings settings, string? databaseUri,
        string? readerPassword, CancellationToken cancellationToken)
    {
        var project = host.Services.GetRequiredService<AssetProject>();
        if (readerPassword is not null)
        {
            await EnableReaderAsync(host.Services.GetRequiredService<IWarehouse>(), readerPassword, cancellationToken);
        }

        var queries = host.Services.GetRequiredService<RunStoreQueries>();
        var marts = new List<MartTable>();
        foreach (var key in project.Graph.TopologicalOrder.Where(k => project.Graph[k].Layer == "marts"))
        {
            var asset = project.Graph[key];
            var latest = await queries.LatestMaterializationAsync(key, cancellationToken)
                         ?? throw new ArgumentException($"mart '{key}' has never been materialized, so its columns are unknown; run 'analytics materialize +marts' (or '*') first.");
            // Classified columns are not in the datasets: the role Superset connects as may not read them.
            var columns = latest.Columns.Where(c => !asset.Classification.ContainsKey(c.Name)).ToList();
            marts.Add(new MartTable(key, asset.Schema, asset.Description, columns));
        }

        // The charts are the declared dashboards' (assets-sql/dashboards.yml), their columns checked against the marts' real ones.
        if (Core.Dashboards.DashboardFile.CheckColumns(project.DashboardsPath, project.Dashboards,
                marts.ToDictionary(m => m.Name, m => (IReadOnlyList<string>)m.Columns.Select(c => c.Name).ToList())) is { Count: > 0 } wrong)
        {
            throw new ArgumentException(string.Join(" ", wrong));
        }

        var uri = databaseUri ?? DefaultUri(settings.WarehouseConnection, readerPassword);
        var bundle = BundleBuilder.Build(marts, project.Dashboards, uri, DateTimeOffset.UtcNow);
        if (BundleValidator.Validate(bundle) is { Count: > 0 } problems)
        {
            throw new ArgumentException("the generated bundle breaks Superset's import rules: " + string.Join("; ", problems));
        }

        using var zip = new MemoryStream();
        bundle.WriteZip(zip);
        return (zip.ToArray(), (marts.Count, bundle.Files.Keys.Count(k => k.StartsWith("charts/", StringComparison.Ordinal))));
    }

    /// <summary>The warehouse connection as a SQLAlchemy URI (psycopg2, the driver Superset's PostgreSQL support uses).</summary>
    private static string DefaultUri(string? connection, string? readerPassword)
    {
        if (connection is null)
        {
            throw new ArgumentException("the warehouse is the embedded one, which Superset cannot reach by name; pass --database-uri "
                                        + "postgresql+psycopg2://USER:PASSWORD@HOST:PORT/DATABASE as Superset sees it.");
        }

        var c = new NpgsqlConnectionStringBuilder(connection);
        var credentials = readerPassword is not null
            ? $"{PostgresWarehouse.SupersetRole}:{readerPassword}"
            : Uri.EscapeDataString(c.Username ?? "postgres") + (string.IsNullOrEmpty(c.Password) ? "" : ":" + Uri.EscapeDataString(c.Password));
        return $"postgresql+psycopg2://{credentials}@{c.Host}:{c.Port}/{Uri.EscapeDataString(c.Database ?? "postgres")}";
    }
}
