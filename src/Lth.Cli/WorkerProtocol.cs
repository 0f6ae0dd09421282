using System.Globalization;
using Lth.Experiments;
using Lth.Models;
using Lth.Training;

namespace Lth.Cli;

/// <summary>
/// The lines a sweep worker prints on stdout for its parent's progress display:
/// <c>@start I</c>, <c>@begin I LEVEL</c> (a level starts training), <c>@it I LEVEL ITERATION TOTAL</c> (every 100 iterations),
/// <c>@level I LEVEL DENSITY ACC SKIPPED DIVERGED HASH</c>, where I is the plan index the worker started and HASH names the
/// run whose level this is (in a cohort, each member reports its own hash). The parent also uses them to say where a
/// worker was when it failed.
/// </summary>
public sealed class WorkerProtocol(int index, TextWriter output) : ILotteryObserver
{
    private int level;

    public static void Started(int index, TextWriter output) { output.WriteLine($"@start {index}"); output.Flush(); }

    public void OnLevelStart(int level, IModel model, Lth.Pruning.Mask mask)
    {
        this.level = level;
        output.WriteLine($"@begin {index} {level}");
        output.Flush();
    }

    public void OnIteration(long iteration, long total, IModel model)
    {
        if (iteration % 100 != 0 && iteration != total) return;
        output.WriteLine($"@it {index} {level} {iteration} {total}");
        output.Flush();
    }

    public void OnLevelDone(LevelSummary s, bool skipped)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"@level {index} {s.Level} {s.Density:R} {s.TestAccuracyAtEarlyStop ?? double.NaN:R} {(skipped ? 1 : 0)} {(s.Diverged ? 1 : 0)} {s.Hash}"));
        output.Flush();
    }

    public sealed record Message(string Kind, int Index, string[] Fields);

    public static Message? Parse(string line)
    {
        if (!line.StartsWith('@')) return null;
        var parts = line.Split(' ');
        if (parts.Length < 2 || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var i)) return null;
        return new Message(parts[0][1..], i, parts[2..]);
    }
}
