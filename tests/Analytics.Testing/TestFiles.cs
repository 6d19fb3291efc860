namespace Analytics.Testing;

public static class TestFiles
{
    public const string Header = "event_time,user_id,event_type,transaction_category,miles_amount,platform,utm_source,country";

    public static string Folder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "analytics-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    public static string Csv(params string[] lines) => WriteBytes(System.Text.Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n"));

    public static string WriteBytes(byte[] bytes)
    {
        var path = Path.Combine(Folder(), "events.csv");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public static string RepositoryAssets => Path.Combine(RepositoryRoot, "assets-sql");

    /// <summary>A copy of the assets folder <paramref name="from"/> (the repository's by default) to change in a test; its path.</summary>
    public static string CopyAssets(string? from = null)
    {
        from ??= RepositoryAssets;
        var root = Path.Combine(Folder(), "assets-sql");
        foreach (var file in Directory.GetFiles(from, "*.*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(root, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return root;
    }

    /// <summary>The checkout the tests run from: the first folder above them holding Analytics.sln.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Analytics.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new DirectoryNotFoundException("Analytics.sln not found above the test folder");
        }
    }

    /// <summary>An assets folder of the given files (layer/key.sql).</summary>
    public static string Assets(Dictionary<string, string> files)
    {
        var root = Path.Combine(Folder(), "assets-sql");
        foreach (var (path, text) in files)
        {
            var full = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }

        return root;
    }
}
