using System.CommandLine;
using System.Globalization;
using Lth.Experiments;
using Spectre.Console;

namespace Lth.Cli.Commands;

/// <summary><c>lth eval RUN_DIR --level L</c>: test loss and accuracy of a stored level's trained weights.</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("run") { Description = "a run directory: runs/lottery_<hash> (with --seed) or runs/lottery_<hash>/seed_<s>" };
        var level = new Option<int>("--level") { Description = "the level to evaluate", Required = true };
        var seed = new Option<long?>("--seed") { Description = "which seed, when the run directory holds several" };
        var common = new CommonOptions();
        var cmd = new Command("eval", "evaluate a stored level on the test set") { dir, level, seed };
        common.AddTo(cmd);
        cmd.SetAction(r => Cli.Guard(() =>
        {
            var run = StoredRun.Open(r.GetValue(dir)!, r.GetValue(seed));
            common.Apply(r);
            using var data = DataAccess.Load(run.Hparams.Dataset, common.DataDir(r));
            int l = r.GetValue(level);
            var (loss, acc) = TicketExport.Evaluate(run, l, data);
            var s = run.Summary(l);
            AnsiConsole.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"level {l} ({s.Density * 100:0.00}% weights): test loss {loss:0.000000}, test accuracy {acc:0.0000} (recorded at the end of training: {s.FinalTestAccuracy:0.0000})"));
            return ExitCodes.Ok;
        }));
        return cmd;
    }
}
