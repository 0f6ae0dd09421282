using System.CommandLine;
using Lth.Pruning;
using Spectre.Console;

namespace Lth.Cli.Commands;

/// <summary><c>lth strategies</c>: the registered pruning strategies, one line each, as <c>lth inits</c> lists schemes.</summary>
public static class StrategiesCommand
{
    public static Command Create()
    {
        var cmd = new Command("strategies", "list the pruning strategies (--strategy NAME; mask transforms are used by --control)");
        cmd.SetAction(r => Cli.Guard(() =>
        {
            var table = new Table().Border(TableBorder.Simple).AddColumns("strategy", "kind", "chosen with", "description");
            foreach (var s in PruningStrategies.All)
                table.AddRow(Markup.Escape(s.Name), s.Kind == StrategyKind.Pruner ? "pruner" : "mask transform",
                             s.Kind == StrategyKind.Pruner ? $"--strategy {Markup.Escape(s.Name)}" : $"--control {Markup.Escape(s.Name)}",
                             Markup.Escape(s.Description));
            AnsiConsole.Write(table);
            return ExitCodes.Ok;
        }));
        return cmd;
    }
}
