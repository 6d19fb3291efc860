using System.CommandLine;
using Analytics.Core.Templating;
using Analytics.Orchestration;

namespace Analytics.Cli.Commands;

/// <summary>
/// <c>analytics compile [SELECTION] --target postgres|bigquery [--out DIR]</c>: each selected asset's SQL as the warehouse
/// receives it (refs resolved, macros rendered), to read, diff, or run by hand. Sources are loaded by ingest, not
/// built, so they have no SQL and are left out. No database is needed.
/// </summary>
public static class CompileCommand
{
    public static Command Create(TextWriter output, AnalyticsSettings settings)
    {
        var selection = SelectionArgument.Create("compile");
        var target = WarehouseTargetOption.Create();
        var outFolder = new Option<string?>("--out") { Description = "write DIR/<key>.sql per asset instead of printing them" };
        var command = new Command("compile", "Print (or write) each selected asset's compiled SQL; no database needed.") { selection, target, outFolder };
        command.SetAction(parse =>
        {
            var project = AnalyticsEnvironment.LoadAssets(settings);
            var keys = SelectionArgument.Resolve(parse, selection, project.Graph)
                .Where(key => !project.Graph[key].IsSource)
                .ToList();
            var dialect = WarehouseTargetOption.Dialect(parse.GetValue(target), settings);
            var folder = parse.GetValue(outFolder);
            try
            {
                if (folder is not null)
                {
                    Directory.CreateDirectory(folder);
                }

                foreach (var key in keys)
                {
                    var sql = project.Compile(key, dialect).Trim() + "\n";
                    if (folder is null)
                    {
                        output.Write($"-- {key}\n{sql}\n");
                    }
                    else
                    {
                        File.WriteAllText(Path.Combine(folder, key + ".sql"), sql);
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: cannot write the compiled SQL to --out {folder}: {e.Message} Choose a folder you can write to.");
                return CliApp.BadInput;
            }

            if (folder is not null)
            {
                output.WriteLine($"wrote {keys.Count} file(s) to {Path.GetFullPath(folder)}");
            }

            return CliApp.Ok;
        });
        return command;
    }
}
