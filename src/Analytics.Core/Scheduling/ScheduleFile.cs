using Analytics.Core.Assets;
using Cronos;

namespace Analytics.Core.Scheduling;

/// <summary>
/// Reads <c>assets-sql/schedules.yml</c>:
/// <code>
/// schedules:
///   - name: every_10_minutes
///     cron: "*/10 * * * *"
///     selection: "*"
///   - name: daily_report
///     cron: "0 10 * * *"
///     timezone: Asia/Singapore     # IANA; default UTC
///     selection: layer:marts
///     catch_up: latest             # latest (default), all or none
/// </code>
/// Every problem is an <see cref="AssetDeclarationException"/> naming the file, the schedule and the fix.
/// </summary>
public static class ScheduleFile
{
    public const string FileName = "schedules.yml";

    /// <summary>The most schedules one file may declare: each is evaluated every few seconds by every worker.</summary>
    public const int MaxSchedules = 200;

    /// <summary>The schedules of the assets folder; none when it has no schedules.yml.</summary>
    public static IReadOnlyList<Schedule> Load(string assetsFolder)
    {
        var path = Path.Combine(assetsFolder, FileName);
        return File.Exists(path) ? Parse(path, File.ReadAllText(path)) : [];
    }

    public static IReadOnlyList<Schedule> Parse(string path, string text)
    {
        var entries = ProjectYaml.ReadList(path, text, "schedules", "schedules (name, cron, selection)", MaxSchedules,
            "One schedule may select many assets.");
        var schedules = new List<Schedule>();
        foreach (var (entry, index) in entries.Select((e, i) => (e, i)))
        {
            var where = $"{path}: schedule #{index + 1}";
            if (entry is not Dictionary<object, object> map)
            {
                throw new AssetDeclarationException($"{where} must be a mapping with name, cron and selection.");
            }

            string? Text(string key) => map.GetValueOrDefault(key) as string;
            var name = Text("name") ?? throw new AssetDeclarationException($"{where} has no name.");
            where = $"{path}: schedule '{name}'";
            var cron = Text("cron") ?? throw new AssetDeclarationException($"{where} has no cron; write five fields, e.g. \"*/10 * * * *\".");
            var selection = Text("selection") ?? throw new AssetDeclarationException($"{where} has no selection; '*' materializes everything.");
            var zone = Text("timezone") ?? "UTC";
            var catchUp = (Text("catch_up") ?? "latest") switch
            {
                "latest" => CatchUp.Latest,
                "all" => CatchUp.All,
                "none" => CatchUp.None,
                var other => throw new AssetDeclarationException($"{where}: catch_up '{other}' is unknown; use latest, all or none."),
            };
            if (schedules.Any(s => s.Name == name))
            {
                throw new AssetDeclarationException($"{where} is declared twice; schedule names are unique.");
            }

            try
            {
                schedules.Add(new Schedule(name, cron, zone, selection, catchUp));
            }
            catch (CronFormatException e)
            {
                throw new AssetDeclarationException($"{where}: cron '{cron}' is not a 5-field cron expression ({e.Message}).");
            }
            catch (TimeZoneNotFoundException)
            {
                throw new AssetDeclarationException($"{where}: time zone '{zone}' is unknown; use an IANA name such as Asia/Singapore or UTC.");
            }
        }

        return schedules;
    }
}
