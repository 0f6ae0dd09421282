using System.CommandLine;
using Lth.Experiments;
using Spectre.Console;

namespace Lth.Cli.Commands;

/// <summary><c>lth presets</c>: the shipped presets, one line each (with <c>--show NAME</c>, all its hparams).</summary>
public static class PresetsCommand
{
    public static Command Create()
    {
        var show = new Option<string?>("--show") { Description = "print every hyperparameter of one preset as JSON" };
        var cmd = new Command("presets", "list the shipped presets") { show };
        cmd.SetAction(r => Cli.Guard(() =>
        {
            if (r.GetValue(show) is string name)
            {
                var p = Preset.Get(name);
                Console.WriteLine(Hparams.ToJson(p.Hparams));
                return ExitCodes.Ok;
            }
            var table = new Table().Border(TableBorder.Simple).AddColumns("preset", "levels", "hash", "description");
            foreach (var p in Preset.All.Values)
                table.AddRow(Markup.Escape(p.Name), p.Levels.ToString(), Hparams.Hash(p.Hparams), Markup.Escape(p.Description));
            AnsiConsole.Write(table);
            return ExitCodes.Ok;
        }));
        return cmd;
    }
}
