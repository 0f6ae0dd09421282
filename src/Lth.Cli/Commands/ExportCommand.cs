using System.CommandLine;
using Lth.Experiments;
using Spectre.Console;

namespace Lth.Cli.Commands;

/// <summary><c>lth export RUN_DIR --level L --out DIR</c>: a winning ticket as safetensors + manifest.</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("run") { Description = "a run directory: runs/lottery_<hash> (with --seed) or runs/lottery_<hash>/seed_<s>" };
        var level = new Option<int>("--level") { Description = "the level to export", Required = true };
        var seed = new Option<long?>("--seed") { Description = "which seed, when the run directory holds several" };
        var output = new Option<string>("--out") { Description = "output folder", Required = true };
        var cmd = new Command("export", "write a level's winning ticket (initial weights ⊙ mask), mask and trained weights as safetensors with a manifest") { dir, level, seed, output };
        cmd.SetAction(r => Cli.Guard(() =>
        {
            var run = StoredRun.Open(r.GetValue(dir)!, r.GetValue(seed));
            foreach (var f in TicketExport.Export(run, r.GetValue(level), r.GetValue(output)!))
                AnsiConsole.MarkupLine($"wrote {Markup.Escape(f)}");
            return ExitCodes.Ok;
        }));
        return cmd;
    }
}
