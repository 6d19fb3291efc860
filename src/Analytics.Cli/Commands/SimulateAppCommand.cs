using System.CommandLine;
using Analytics.Orchestration;
using Npgsql;

namespace Analytics.Cli.Commands;

/// <summary><c>analytics simulate-app</c>: the shipped example's application, writing users and top-ups into its database.</summary>
public static class SimulateAppCommand
{
    public static Command Create(TextWriter output, AnalyticsSettings settings)
    {
        var interval = new Option<double>("--interval") { Description = "seconds between ticks", DefaultValueFactory = _ => 2.0 };
        var ticks = new Option<int>("--ticks") { Description = "stop after this many ticks (default: run until stopped)", DefaultValueFactory = _ => 0 };
        var command = new Command("simulate-app",
            "Play the rewards app against its database (ConnectionStrings__appdb): 30 days of users and top-ups on an empty database, "
            + "then new users, top-ups, tier changes and settling top-ups every tick; the sources raw_users and raw_topups read it.") { interval, ticks };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var seconds = parse.GetValue(interval);
            if (seconds is < 0.1 or > 3600 || parse.GetValue(ticks) < 0)
            {
                throw new ArgumentException("--interval must be 0.1 to 3,600 seconds and --ticks at least 0.");
            }

            var connection = settings.SourceConnections("appdb")
                             ?? throw new ArgumentException("ConnectionStrings__appdb is not set; point it at the app's database (the AppHost sets it).");
            // The app's own writes are not the platform's work: no spans for them (they would be roots, burying the runs' traces).
            var builder = new NpgsqlDataSourceBuilder(connection);
            builder.ConfigureTracing(tracing => tracing.ConfigureCommandFilter(_ => false).ConfigureBatchFilter(_ => false).EnablePhysicalOpenTracing(false));
            await using var database = builder.Build();
            var simulator = new AppSimulator(database);
            var (users, topups) = await simulator.PrepareAsync(cancellationToken);
            output.WriteLine(users > 0 ? $"appdb: wrote {AppSimulator.HistoryDays} days of history ({users} users, {topups} top-ups)" : "appdb: history present");
            for (var tick = 1; parse.GetValue(ticks) == 0 || tick <= parse.GetValue(ticks); tick++)
            {
                await simulator.TickAsync(cancellationToken);
                if (tick % 30 == 0)
                {
                    output.WriteLine($"appdb: {tick} ticks");
                }

                await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken);
            }

            return CliApp.Ok;
        });
        return command;
    }
}
