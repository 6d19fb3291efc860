namespace Analytics.Core.Tests;

/// <summary>Writes small asset folders for tests, and finds the repository's own.</summary>
internal static class TestAssets
{
    public static string RepositoryAssets
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "assets-sql");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new DirectoryNotFoundException("assets-sql not found above the test folder");
        }
    }

    public static string Write(Dictionary<string, string> files)
    {
        var root = Path.Combine(Path.GetTempPath(), "analytics-tests", Guid.NewGuid().ToString("N"), "assets-sql");
        foreach (var (path, text) in files)
        {
            var full = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }

        return root;
    }
}
