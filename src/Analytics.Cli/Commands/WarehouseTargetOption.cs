using System.CommandLine;
using Analytics.Core.Templating;
using Analytics.Orchestration;
using Analytics.Warehouse.BigQuery;
using Analytics.Warehouse.Postgres;

namespace Analytics.Cli.Commands;

/// <summary>
/// <c>--target postgres|bigquery</c>: the warehouse a command speaks to, defaulting to <c>Analytics__Warehouse</c>
/// (itself <c>postgres</c> when unset).
/// </summary>
internal static class WarehouseTargetOption
{
    public static Option<string?> Create(string description = "the warehouse: postgres or bigquery (default: Analytics__Warehouse, else postgres)")
    {
        var option = new Option<string?>("--target") { Description = description };
        option.AcceptOnlyFromAmong("postgres", "bigquery");
        return option;
    }

    /// <summary>The settings with the warehouse the option names, when it names one.</summary>
    public static AnalyticsSettings Apply(string? target, AnalyticsSettings settings) =>
        target is null ? settings : settings with { Warehouse = target };

    /// <summary>The SQL dialect of the chosen warehouse; BigQuery's names the project and dataset prefix when configured.</summary>
    public static ISqlDialect Dialect(string? target, AnalyticsSettings settings) =>
        Apply(target, settings).Warehouse.ToLowerInvariant() switch
        {
            "bigquery" => settings.BigQueryOrEnvironment().Dialect(),
            _ => PostgresDialect.Instance,
        };
}
