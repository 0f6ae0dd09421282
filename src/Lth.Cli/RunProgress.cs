using System.Globalization;
using Lth.Experiments;
using Lth.Models;
using Lth.Pruning;
using Lth.Training;
using Spectre.Console;

namespace Lth.Cli;

/// <summary>Live progress of a lottery run in an interactive terminal: one bar per level and one for the run (with ETA).</summary>
public sealed class LiveRunProgress(ProgressContext ctx, int levels, string label) : ILotteryObserver
{
    private ProgressTask? overall;
    private ProgressTask? current;
    private int level;
    private long lastShown = -1;

    public void OnLevelStart(int level, IModel model, Mask mask)
    {
        this.level = level;
        current = ctx.AddTask($"level {level} [grey]({mask.WeightDensity(0) * 100:0.0}% weights)[/]", autoStart: true);
        lastShown = -1;
    }

    public void OnIteration(long iteration, long total, IModel model)
    {
        overall ??= ctx.AddTaskBefore(Markup.Escape(label), new ProgressTaskSettings { MaxValue = (levels + 1) * (double)total }, current!);
        if (current is null) return;
        current.MaxValue = total;
        if (iteration - lastShown >= 25 || iteration == total)
        {
            overall.Increment(iteration - Math.Max(lastShown, 0) > 0 && lastShown >= 0 ? iteration - lastShown : 0);
            current.Value = iteration;
            lastShown = iteration;
        }
    }

    public void OnEvaluated(long iteration, long total, IReadOnlyList<MemberResult> members)
    {
        var acc = members[0].Last("val")?.Accuracy;
        if (current is not null && acc is double a)
            current.Description = $"level {level} [grey]val acc {a:0.0000} at it {iteration}[/]";
    }

    public void OnLevelDone(LevelSummary s, bool skipped)
    {
        if (skipped)
        {
            ctx.AddTask($"level {s.Level} [grey](done before)[/]", new ProgressTaskSettings { MaxValue = 1 }).Increment(1);
            return;
        }
        if (current is not null)
        {
            current.Value = current.MaxValue;
            current.Description = $"level {s.Level} [grey]{s.Density * 100:0.0}% · test acc {Fmt(s.TestAccuracyAtEarlyStop)} at it {s.EarlyStopIteration}[/]";
            current.StopTask();
        }
    }

    internal static string Fmt(double? v) => v is double d ? d.ToString("0.0000", CultureInfo.InvariantCulture) : "-";
}

/// <summary>Progress for logs and pipes: one line per level.</summary>
public sealed class LineRunProgress(TextWriter output, Func<LevelSummary, string>? name = null) : ILotteryObserver
{
    /// <summary>One line per level; with <c>name</c> (sweeps) each line starts with the name of the run the level belongs to.</summary>
    public void OnLevelDone(LevelSummary s, bool skipped) =>
        output.WriteLine((name is null ? "" : name(s) + " ") + (skipped
            ? $"level {s.Level}: done before ({s.Density * 100:0.0}% weights)"
            : $"level {s.Level}: {s.Density * 100:0.0}% weights, early stop at it {s.EarlyStopIteration}, test acc {LiveRunProgress.Fmt(s.TestAccuracyAtEarlyStop)}, final {LiveRunProgress.Fmt(s.FinalTestAccuracy)}{(s.Diverged ? $", DIVERGED at it {s.DivergedAt}" : "")} ({s.WallSeconds:0.0} s)"));
}
