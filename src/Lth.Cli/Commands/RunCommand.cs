using System.CommandLine;
using Lth.Experiments;
using Spectre.Console;

namespace Lth.Cli.Commands;

/// <summary><c>lth run</c>: one lottery experiment (one scheme, one seed), levels 0..N, resumable.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var hparams = new HparamOptions();
        var seed = new Option<long>("--seed") { Description = "run seed: initial weights and data order", DefaultValueFactory = _ => 1 };
        var levels = new Option<int?>("--levels") { Description = "prune-and-retrain levels after the dense level 0 [default: the preset's, else 0]" };
        var common = new CommonOptions();
        var cmd = new Command("run", "train, prune and reset: one lottery-ticket experiment, resumable");
        hparams.AddTo(cmd);
        cmd.Options.Add(seed);
        cmd.Options.Add(levels);
        common.AddTo(cmd);
        cmd.SetAction((r, ct) => Task.FromResult(Cli.Guard(() =>
        {
            var (hp, preset) = hparams.Resolve(r);
            int n = r.GetValue(levels) ?? preset?.Levels ?? 0;
            if (n < 0) return Cli.Fail("--levels: must be >= 0", ExitCodes.Usage);
            long s = r.GetValue(seed);
            if (s < 0) return Cli.Fail($"--seed: {s} is negative; seeds are >= 0", ExitCodes.Usage);
            bool quiet = r.GetValue(common.Quiet);
            common.Apply(r, hp);
            var store = common.Store(r);
            bool complete = store.IsRunComplete(hp, s, n);
            using var data = common.LoadData(r, hp.Dataset);
            var runner = new LotteryRunner(store, hp, data) { AllowThreadChange = r.GetValue(common.AllowThreadChange) };
            if (!quiet)
            {
                AnsiConsole.MarkupLine($"[bold]lth run[/] seed {s}, levels 0..{n}: {Markup.Escape(Hparams.Canonical(hp))}");
                AnsiConsole.MarkupLine($"  [grey]{Markup.Escape(runner.RunDir)}[/]");
                foreach (var (file, sha) in data.Files.OrderBy(f => f.Key, StringComparer.Ordinal))
                    AnsiConsole.MarkupLine($"  [grey]data {Markup.Escape(file)} sha256 {sha[..16]}…[/]");
                if (complete) AnsiConsole.MarkupLine("  already complete: nothing to do");
            }
            IReadOnlyList<LevelSummary> results;
            using var tensorBoard = complete ? null : common.TensorBoardFor(r, store.SeedDir(hp, s));
            if (!quiet && !complete && AnsiConsole.Profile.Capabilities.Interactive)
                results = AnsiConsole.Progress().AutoClear(false)
                    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                    .Start(ctx => runner.Run(s, n, ObserverList.Of(new LiveRunProgress(ctx, n, $"seed {s}"), tensorBoard, TestFault.FromEnvironment()), ct));
            else
                results = runner.Run(s, n, ObserverList.Of(quiet || complete ? null : new LineRunProgress(Console.Out), tensorBoard, TestFault.FromEnvironment()), ct);
            ResultsTable.Write(results);
            return ExitCodes.Ok;
        })));
        return cmd;
    }
}
