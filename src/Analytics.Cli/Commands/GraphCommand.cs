using System.CommandLine;
using Analytics.Core.Graph;
using Analytics.Orchestration;

namespace Analytics.Cli.Commands;

public static class GraphCommand
{
    public static Command Create(TextWriter output, AnalyticsSettings settings)
    {
        var selection = SelectionArgument.Create("draw");
        var format = new Option<string>("--format") { Description = "mermaid, dot or json", DefaultValueFactory = _ => "mermaid" };
        format.AcceptOnlyFromAmong("mermaid", "dot", "json");
        var command = new Command("graph", "Print the asset graph (no database needed).") { selection, format };
        command.SetAction(parse =>
        {
            var project = AnalyticsEnvironment.LoadAssets(settings);
            var keys = SelectionArgument.Resolve(parse, selection, project.Graph);
            output.Write(GraphRenderer.Render(project.Graph, keys, parse.GetValue(format)!));
            return CliApp.Ok;
        });
        return command;
    }
}
