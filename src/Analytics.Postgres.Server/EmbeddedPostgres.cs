using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Analytics.Postgres.Server;

/// <summary>
/// A PostgreSQL server run from the machine's binaries in a data folder of ours: initialised on first use, kept
/// between runs, stopped on dispose. As root it runs as the <c>postgres</c> user, since PostgreSQL refuses root.
/// When that user cannot reach the folder (a checkout under <c>/root</c>, mode 700, say), the cluster is kept in
/// the postgres user's home instead, under a name derived from the folder, and <c>CLUSTER-LOCATION</c> in the folder
/// says where: permissions of the user's own folders are never changed.
/// </summary>
public sealed partial class EmbeddedPostgres : IAsyncDisposable
{
    private readonly string _dataDirectory;
    private readonly string _binDirectory;
    private readonly bool _owned;

    /// <summary>The file in the server's folder that names the cluster's real place when it had to be kept elsewhere.</summary>
    public const string LocationFile = "CLUSTER-LOCATION";

    private EmbeddedPostgres(string dataDirectory, string binDirectory, int port, bool owned)
    {
        _dataDirectory = dataDirectory;
        _binDirectory = binDirectory;
        Port = port;
        _owned = owned;
    }

    public int Port { get; }

    /// <summary>The database the app and the CLI keep their tables in, on the cluster of one analytics home.</summary>
    public const string Database = "analytics";

    /// <summary>Where the cluster of an analytics home (<c>ANALYTICS_HOME</c>) lives: the AppHost and the CLI use the same one.</summary>
    public static string ClusterFolder(string home) => Path.Combine(home, "postgres");

    /// <summary>True when another process (the AppHost, another command) runs the server and this one only joined it.</summary>
    public bool Joined => !_owned;

    /// <summary>The cluster's data folder: below the given folder, or in the postgres user's home when it could not reach that.</summary>
    public string DataDirectory => _dataDirectory;

    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Maximum Pool Size=50";

    /// <summary>Starts (or joins, when another process already runs it) the server whose data lives under <paramref name="root"/>.</summary>
    public static async Task<EmbeddedPostgres> StartAsync(string root, EmbeddedPostgresOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EmbeddedPostgresOptions();
        var bin = FindBinaries();
        Directory.CreateDirectory(root);
        var root_ = Path.GetFullPath(root);
        var asRoot = IsRoot();
        if (asRoot)
        {
            await RunAsync("chown", ["postgres:postgres", root_], cancellationToken);
            root_ = await ReachableClusterFolderAsync(root_, cancellationToken);
        }

        var data = Path.Combine(root_, "data");

        if (!File.Exists(Path.Combine(data, "PG_VERSION")))
        {
            await RunPostgresToolAsync(bin, "initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"], asRoot, cancellationToken);
        }

        var running = RunningPort(data);
        if (running is { } port && await IsReadyAsync(bin, port, cancellationToken))
        {
            return new EmbeddedPostgres(data, bin, port, owned: false);
        }

        port = FreePort();
        var settings = $"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200 "
                       + $"-c shared_buffers={options.SharedBuffers} -c synchronous_commit=off -c jit=off "
                       // No replicas read this server's WAL, so tables built by CREATE TABLE AS need not be written to it.
                       + "-c wal_level=minimal -c max_wal_senders=0 -c max_wal_size=4GB"
                       + (options.Durable ? "" : " -c fsync=off -c full_page_writes=off");
        await RunPostgresToolAsync(bin, "pg_ctl", ["-D", data, "-l", Path.Combine(root_, "postgres.log"), "-w", "-t", "60", "-o", settings, "start"], asRoot, cancellationToken);
        return new EmbeddedPostgres(data, bin, port, owned: true);
    }

    public async ValueTask DisposeAsync()
    {
        if (_owned)
        {
            await RunPostgresToolAsync(_binDirectory, "pg_ctl", ["-D", _dataDirectory, "-m", "fast", "-w", "stop"], IsRoot(), CancellationToken.None);
        }
    }

    /// <summary>
    /// Deletes the server's folder and, when the cluster was kept elsewhere, that place too. The server must be stopped.
    /// </summary>
    public static void Delete(string root)
    {
        var location = Path.Combine(root, LocationFile);
        if (File.Exists(location) && File.ReadLines(location).FirstOrDefault() is { Length: > 0 } elsewhere && Directory.Exists(elsewhere))
        {
            Directory.Delete(elsewhere, recursive: true);
        }

        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// <paramref name="root"/> when the postgres user can reach it; otherwise a folder of that user's home named after
    /// <paramref name="root"/>, recorded in <see cref="LocationFile"/> so a person (and <see cref="Delete"/>) finds it.
    /// </summary>
    private static async Task<string> ReachableClusterFolderAsync(string root, CancellationToken cancellationToken)
    {
        var (reachable, _) = await RunAsync("runuser", ["-u", "postgres", "--", "test", "-w", root], cancellationToken, check: false);
        if (reachable == 0)
        {
            return root;
        }

        var home = PostgresHome();
        var name = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(root)))[..16];
        var elsewhere = Path.Combine(home, "analytics-clusters", name);
        await RunAsync("runuser", ["-u", "postgres", "--", "mkdir", "-p", "-m", "700", elsewhere], cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(root, LocationFile),
            $"{elsewhere}\n\nThe postgres user cannot reach {root} (a folder above it is private to its owner), so this PostgreSQL cluster "
            + $"is kept in {elsewhere}. Delete both folders to start over.\n", cancellationToken);
        return elsewhere;
    }

    private static string PostgresHome()
    {
        var entry = File.ReadLines("/etc/passwd").Select(l => l.Split(':')).FirstOrDefault(f => f.Length > 5 && f[0] == "postgres");
        return entry is { } fields && Directory.Exists(fields[5])
            ? fields[5]
            : throw new PostgresNotInstalledException("The postgres user has no home folder to keep the cluster in; reinstall PostgreSQL ('apt-get install -y postgresql').");
    }

    private static string FindBinaries()
    {
        var fromEnv = Environment.GetEnvironmentVariable("PG_BIN");
        if (!string.IsNullOrEmpty(fromEnv) && File.Exists(Path.Combine(fromEnv, "pg_ctl")))
        {
            return fromEnv;
        }

        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.GetDirectories(debianRoot)
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "pg_ctl")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault();
            if (newest is not null)
            {
                return newest;
            }
        }

        throw new PostgresNotInstalledException(
            "PostgreSQL server binaries were not found (looked in PG_BIN and /usr/lib/postgresql/*/bin). "
            + "Install them with 'apt-get install -y postgresql', or set ConnectionStrings__warehouse to use a server you run.");
    }

    private static int? RunningPort(string data)
    {
        var pidFile = Path.Combine(data, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return null;
        }

        try
        {
            var lines = File.ReadAllLines(pidFile);
            return lines.Length > 3 && int.TryParse(lines[3], out var port) ? port : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static async Task<bool> IsReadyAsync(string bin, int port, CancellationToken cancellationToken)
    {
        var (code, _) = await RunAsync(Path.Combine(bin, "pg_isready"), ["-h", "127.0.0.1", "-p", port.ToString()], cancellationToken, check: false);
        return code == 0;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Task<(int, string)> RunPostgresToolAsync(string bin, string tool, IReadOnlyList<string> args, bool asRoot, CancellationToken cancellationToken) =>
        asRoot
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(bin, tool), .. args], cancellationToken)
            : RunAsync(Path.Combine(bin, tool), args, cancellationToken);

    private static async Task<(int, string)> RunAsync(string file, IReadOnlyList<string> args, CancellationToken cancellationToken, bool check = true)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var output = (await stdout) + (await stderr);
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{Path.GetFileName(file)} {string.Join(' ', args)}' failed with exit code {process.ExitCode}: {output.Trim()}");
        }

        return (process.ExitCode, output);
    }

    private static bool IsRoot() => OperatingSystem.IsLinux() && geteuid() == 0;

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
