using Analytics.Orchestration.Alerting;
using Microsoft.Extensions.Options;

namespace Analytics.Orchestration;

/// <summary>
/// The worker's and the alerts' settings checked when a service starts (<c>ValidateOnStart</c>), so a bad value stops
/// it at once with the setting's name and what it takes, instead of surfacing in a loop later.
/// </summary>
public sealed class OptionsValidation : IValidateOptions<WorkerOptions>, IValidateOptions<AlertOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkerOptions options)
    {
        var problems = new List<string>();
        Positive(problems, "Analytics:Worker:PollInterval", options.PollInterval);
        Positive(problems, "Analytics:Worker:HeartbeatInterval", options.HeartbeatInterval);
        if (options.HeartbeatTimeout <= options.HeartbeatInterval)
        {
            problems.Add($"Analytics:Worker:HeartbeatTimeout is {options.HeartbeatTimeout}; make it longer than HeartbeatInterval ({options.HeartbeatInterval}), "
                         + "or every run is reaped as dead");
        }

        if (options.Parallelism is < 1 or > 256)
        {
            problems.Add($"Analytics:Worker:Parallelism is {options.Parallelism}; give 1 to 256 assets built at once");
        }

        Positive(problems, "Analytics:Worker:ScheduleInterval", options.ScheduleInterval);
        Positive(problems, "Analytics:Worker:SensorInterval", options.SensorInterval);
        Positive(problems, "Analytics:Worker:EventRetention", options.EventRetention);
        return Result(problems);
    }

    public ValidateOptionsResult Validate(string? name, AlertOptions options)
    {
        var problems = new List<string>();
        Positive(problems, "Analytics:Alerts:Interval", options.Interval);
        Positive(problems, "Analytics:Alerts:SendTimeout", options.SendTimeout);
        if (options.MaxAttempts is < 1 or > 100)
        {
            problems.Add($"Analytics:Alerts:MaxAttempts is {options.MaxAttempts}; give 1 to 100 attempts a delivery");
        }

        if (options.Smtp.Port is < 1 or > 65_535)
        {
            problems.Add($"Analytics:Alerts:Smtp:Port is {options.Smtp.Port}; give a TCP port, 1 to 65535 (587 by default)");
        }

        if (options.BaseUrl is { } url && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            problems.Add($"Analytics:Alerts:BaseUrl is '{url}'; give the web UI's address, e.g. https://analytics.example.com");
        }

        return Result(problems);
    }

    private static void Positive(List<string> problems, string setting, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            problems.Add($"{setting} is {value}; give a positive time span, e.g. 00:00:05");
        }
    }

    private static ValidateOptionsResult Result(List<string> problems) =>
        problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
}
