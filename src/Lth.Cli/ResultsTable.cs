using System.Globalization;
using Lth.Experiments;
using Spectre.Console;

namespace Lth.Cli;

/// <summary>The table printed at the end of a run: one row per level.</summary>
public static class ResultsTable
{
    public static void Write(IReadOnlyList<LevelSummary> levels)
    {
        var t = new Table().Border(TableBorder.Simple)
            .AddColumn("level").AddColumn("% weights remaining").AddColumn("early-stop it")
            .AddColumn("test acc @ early stop").AddColumn("final test acc");
        foreach (var c in t.Columns) c.RightAligned();
        foreach (var s in levels)
            t.AddRow(s.Level.ToString(CultureInfo.InvariantCulture),
                (s.Density * 100).ToString("0.00", CultureInfo.InvariantCulture),
                s.EarlyStopIteration?.ToString(CultureInfo.InvariantCulture) ?? "-",
                LiveRunProgress.Fmt(s.TestAccuracyAtEarlyStop),
                LiveRunProgress.Fmt(s.FinalTestAccuracy) + (s.Diverged ? " (diverged)" : ""));
        AnsiConsole.Write(t);
    }
}
