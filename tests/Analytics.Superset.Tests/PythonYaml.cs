using System.Diagnostics;
using System.Numerics;
using Analytics.Superset;

namespace Analytics.Superset.Tests;

/// <summary>A test that needs python3 with PyYAML, the YAML library Superset reads bundles with; skipped, saying so, where it is missing.</summary>
public sealed class PythonYamlFactAttribute : FactAttribute
{
    public PythonYamlFactAttribute()
    {
        if (!PythonYaml.Available)
        {
            Skip = "needs python3 with PyYAML (scripts/ensure-prerequisites --browser installs python3-yaml), which Superset reads bundles with";
        }
    }
}

/// <summary>
/// A document's shape (maps, lists, and each scalar's type) as real PyYAML's <c>safe_load</c> gives it, and as our
/// <see cref="PyYaml"/> reader gives it, in one notation so the two can be compared.
/// </summary>
public static class PythonYaml
{
    private const string Script = """
        import sys, yaml, datetime
        def shape(v):
            if isinstance(v, dict): return "{" + ",".join(str(k) + ":" + shape(v[k]) for k in sorted(v, key=str)) + "}"
            if isinstance(v, list): return "[" + ",".join(shape(x) for x in v) + "]"
            if isinstance(v, (datetime.date, datetime.datetime)): return "timestamp"
            return type(v).__name__
        sys.stdout.write(shape(yaml.safe_load(sys.stdin.read())))
        """;

    public static bool Available { get; } = Run("-c", "import yaml", "", out _) == 0;

    public static string Shape(string yaml)
    {
        var exit = Run("-c", Script, yaml, out var output);
        return exit == 0 ? output : throw new InvalidOperationException($"PyYAML could not load the document: {output}");
    }

    public static string ShapeOf(object? value) => value switch
    {
        Dictionary<string, object?> map => "{" + string.Join(",", map.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + ":" + ShapeOf(kv.Value))) + "}",
        List<object?> list => "[" + string.Join(",", list.Select(ShapeOf)) + "]",
        null => "NoneType",
        string => "str",
        bool => "bool",
        long or BigInteger => "int",
        double => "float",
        YamlTimestamp => "timestamp",
        _ => value.GetType().Name,
    };

    private static int Run(string flag, string code, string input, out string output)
    {
        try
        {
            var info = new ProcessStartInfo("python3")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            info.ArgumentList.Add(flag);
            info.ArgumentList.Add(code);
            using var python = Process.Start(info)!;
            python.StandardInput.Write(input);
            python.StandardInput.Close();
            var stdout = python.StandardOutput.ReadToEndAsync();
            var stderr = python.StandardError.ReadToEnd();
            python.WaitForExit();
            output = stdout.Result + stderr;
            return python.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            output = e.Message;
            return -1;
        }
    }
}
