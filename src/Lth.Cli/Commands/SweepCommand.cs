using System.CommandLine;
using System.Globalization;
using Lth.Data;
using Lth.Experiments;
using Lth.Reports;
using Spectre.Console;

namespace Lth.Cli.Commands;

/// <summary>
/// <c>lth sweep</c>: a grid of runs (any hparam flag with several comma-separated values, × seeds),
/// run one after another in this process; finished levels are skipped, so a killed sweep resumes.
/// Ends with a per-group, per-level table of mean test accuracy with 95% confidence intervals.
/// </summary>
public static class SweepCommand
{
    public static Command Create()
    {
        var hparams = new HparamOptions(allowLists: true);
        var seeds = new Option<string>("--seeds") { Description = "seeds: 1-5, 1,3,7 or 1-3,10", DefaultValueFactory = _ => "1" };
        var levels = new Option<int?>("--levels") { Description = "levels per run [default: the preset's, else 0]" };
        var plan = new Option<bool>("--plan") { Description = "print the runs and what is already done; run nothing" };
        var common = new CommonOptions();
        var cmd = new Command("sweep", "a grid of lottery runs (e.g. --init a,b,c --seeds 1-5), resumable");
        hparams.AddTo(cmd);
        cmd.Options.Add(seeds);
        cmd.Options.Add(levels);
        cmd.Options.Add(plan);
        common.AddTo(cmd);
        cmd.SetAction((r, ct) => Task.FromResult(Cli.Guard(() =>
        {
            var (baseHp, preset, grid) = hparams.ResolveGrid(r);
            int n = r.GetValue(levels) ?? preset?.Levels ?? 0;
            if (n < 0) return Cli.Fail("--levels: must be >= 0", ExitCodes.Usage);
            var runs = SweepPlan.Expand(baseHp, grid, SweepPlan.ParseSeeds(r.GetValue(seeds)!));
            var store = common.Store(r);
            bool quiet = r.GetValue(common.Quiet);

            if (r.GetValue(plan))
            {
                var t = new Table().Border(TableBorder.Simple).AddColumns("#", "run", "seed", "hash", "levels done");
                for (int i = 0; i < runs.Count; i++)
                {
                    var x = runs[i];
                    t.AddRow(i.ToString(CultureInfo.InvariantCulture), Markup.Escape(x.Label), x.Seed.ToString(CultureInfo.InvariantCulture), x.Hash,
                             $"{Math.Min(store.CompletedLevels(x.Hparams, x.Seed), n + 1)}/{n + 1}");
                }
                AnsiConsole.Write(t);
                AnsiConsole.MarkupLine($"{runs.Count} runs × {n + 1} levels under {Markup.Escape(store.Root)}");
                return ExitCodes.Ok;
            }

            common.Apply(r);
            var results = new List<(string Group, LevelSummary Summary)>();
            DatasetHparams? loaded = null;
            DatasetSplits? data = null;
            try
            {
                for (int i = 0; i < runs.Count; i++)
                {
                    var run = runs[i];
                    if (data is null || loaded != run.Hparams.Dataset)
                    {
                        data?.Dispose();
                        data = DataAccess.Load(run.Hparams.Dataset, common.DataDir(r));
                        loaded = run.Hparams.Dataset;
                    }
                    if (!quiet) AnsiConsole.MarkupLine($"[bold]run {i + 1}/{runs.Count}[/] {Markup.Escape(run.Label)} seed {run.Seed} [grey]{run.Hash}[/]");
                    var runner = new LotteryRunner(store, run.Hparams, data);
                    var summaries = runner.Run(run.Seed, n, quiet ? null : new LineRunProgress(Console.Out), ct);
                    results.AddRange(summaries.Select(s => (run.Label, s)));
                }
            }
            finally { data?.Dispose(); }
            WriteComparison(GroupSummary.Of(results));
            return ExitCodes.Ok;
        })));
        return cmd;
    }

    private static void WriteComparison(List<GroupLevel> rows)
    {
        var t = new Table().Border(TableBorder.Simple).AddColumns("group", "level", "% weights", "n", "test acc @ early stop (mean)", "95% CI", "early-stop it (mean)");
        foreach (var x in rows)
            t.AddRow(Markup.Escape(x.Group), x.Level.ToString(CultureInfo.InvariantCulture), (x.Density * 100).ToString("0.0", CultureInfo.InvariantCulture),
                x.TestAccuracy.N.ToString(CultureInfo.InvariantCulture) + (x.Diverged > 0 ? $" (+{x.Diverged} diverged)" : ""),
                x.TestAccuracy.Mean.ToString("0.0000", CultureInfo.InvariantCulture),
                double.IsNaN(x.TestAccuracy.Low) ? "-" : $"[{x.TestAccuracy.Low:0.0000}, {x.TestAccuracy.High:0.0000}]",
                x.EarlyStop.Mean.ToString("0", CultureInfo.InvariantCulture));
        AnsiConsole.Write(t);
    }
}
