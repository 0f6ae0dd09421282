using System.Globalization;
using System.Text;
using ScottPlot;

namespace Lth.Reports;

/// <summary>Instability of one group at one level over seeds (test-error barrier, fractions) and whether it is shown stable.</summary>
/// <param name="Group">The report group.</param>
/// <param name="Level">The level.</param>
/// <param name="Density">Mean fraction of weights remaining.</param>
/// <param name="Test">The test-error barrier over seeds.</param>
/// <param name="Train">The training-subset error barrier over seeds.</param>
/// <param name="Line">The group without its rewind point: the line it belongs to in the instability-vs-rewind figure.</param>
/// <param name="Start">The iteration the two copies trained from (the rewind point), the same for every seed.</param>
/// <param name="Stable">Shown stable (CI entirely below the threshold), shown unstable (entirely above), or undetermined.</param>
/// <param name="Matching">The level's lottery-ticket state (matches dense within the margin, below, undetermined); dense levels: null.</param>
public sealed record InstabilityCell(string Group, string Line, int Level, double Density, long Start, MeanCi Test, MeanCi Train,
                                     Stability Stable, MatchState? Matching);

/// <summary>Whether a level's error barrier is below the stability threshold, as far as the seeds show.</summary>
public enum Stability { Stable, Unstable, Undetermined }

/// <summary>
/// Linear mode connectivity in the report (runs with <c>--instability</c>): instability against the rewind point per
/// scheme, against density per group, the error along the path, and the table that sets "stable" beside "matching
/// dense" per group and level, so that Frankle et al. (2020)'s claim (IMP subnetworks match exactly when they are
/// stable) can be checked on the data. Stable means the 95% t CI of the mean test-error barrier lies below
/// <see cref="Threshold"/> (2 percentage points, the paper's tolerance); unstable, above it; with fewer than
/// <see cref="LotteryCriterion.MinPairs"/> seeds or a CI across it, undetermined.
/// </summary>
public sealed class InstabilityReport
{
    /// <summary>The barrier below which a level counts as stable (2 percentage points of error).</summary>
    public const double Threshold = 0.02;

    public const string RewindFlag = "rewind";

    public IReadOnlyList<InstabilityCell> Cells { get; }
    /// <summary>The lines of the instability-vs-rewind figure (groups without their rewind point), in study order.</summary>
    public IReadOnlyList<string> Lines { get; }
    /// <summary>The rewind points measured, ascending.</summary>
    public IReadOnlyList<long> Starts { get; }

    private InstabilityReport(List<InstabilityCell> cells)
    {
        Cells = cells;
        Lines = cells.Select(c => c.Line).Distinct().ToList();
        Starts = cells.Select(c => c.Start).Distinct().Order().ToList();
    }

    /// <summary>The instability cells, or null when no level of the study measured instability.</summary>
    public static InstabilityReport? Compute(StudyResults study, IReadOnlyList<CriterionResult> criterion)
    {
        var measured = study.Rows.Where(r => r.Summary.InstabilityTest.HasValue && r.Summary.InstabilityCopyDiverged != true && !r.Summary.Diverged).ToList();
        if (measured.Count == 0) return null;
        var cells = new List<InstabilityCell>();
        foreach (var g in measured.GroupBy(r => (r.Group, r.Level)).OrderBy(g => study.Groups.ToList().FindIndex(x => x.Name == g.Key.Group)).ThenBy(g => g.Key.Level))
        {
            var test = MeanCi.Of(g.Select(r => r.Summary.InstabilityTest!.Value).ToList());
            var train = MeanCi.Of(g.Where(r => r.Summary.InstabilityTrain.HasValue).Select(r => r.Summary.InstabilityTrain!.Value).ToList());
            var state = test.N < LotteryCriterion.MinPairs || double.IsNaN(test.High) ? Stability.Undetermined
                : test.High < Threshold ? Stability.Stable : test.Low > Threshold ? Stability.Unstable : Stability.Undetermined;
            var matching = criterion.FirstOrDefault(c => c.Group == g.Key.Group)?.Levels.FirstOrDefault(l => l.Level == g.Key.Level)?.State;
            cells.Add(new InstabilityCell(g.Key.Group, LineOf(study.Group(g.Key.Group)), g.Key.Level, g.Average(r => r.Summary.Density),
                g.Min(r => r.Summary.InstabilityStart ?? 0), test, train, state, g.Key.Level == 0 ? null : matching));
        }
        return new InstabilityReport(cells);
    }

    /// <summary>A group's name without its rewind point (its line across rewind points).</summary>
    public static string LineOf(StudyGroup g)
    {
        var parts = new List<string>();
        if (g.Values.TryGetValue("init", out var init)) parts.Add(init);
        parts.AddRange(g.Values.Where(kv => kv.Key is not ("init" or "control" or RewindFlag)).Select(kv => $"{kv.Key}={kv.Value}"));
        if (parts.Count == 0) parts.Add("all");
        if (g.IsControl) parts.Add($"[{ChoiceText.Of(g.Control)}]");
        return string.Join(" ", parts);
    }

    /// <summary>
    /// The answer in lines: the dense network's instability at the earliest rewind point per line, where stability
    /// sets in per line (the first rewind point shown stable, per level), and how often "stable" and "matching" agree.
    /// </summary>
    public IReadOnlyList<string> Answer()
    {
        var lines = new List<string>();
        foreach (var line in Lines)
        {
            var dense = Cells.Where(c => c.Line == line && c.Level == 0).OrderBy(c => c.Start).ToList();
            if (dense.Count == 0) continue;
            string at = string.Join("; ", dense.Select(c => $"from it {c.Start}: {Pp(c.Test)} ({Word(c.Stable)})"));
            lines.Add($"{line}, dense: test-error barrier {at}.");
        }
        foreach (var level in Cells.Select(c => c.Level).Distinct().Order())
        {
            var onset = Lines.Select(line =>
            {
                var cs = Cells.Where(c => c.Line == line && c.Level == level).OrderBy(c => c.Start).ToList();
                var first = cs.FirstOrDefault(c => c.Stable == Stability.Stable);
                return (line, text: cs.Count == 0 ? null : first is null ? (cs.All(c => c.Stable == Stability.Unstable) ? "never stable (up to it " + cs[^1].Start + ")" : "undetermined") : $"from it {first.Start}");
            }).Where(x => x.text is not null).ToList();
            if (Starts.Count > 1 && onset.Count > 0)
                lines.Add($"Level {level}, the earliest rewind point shown stable: " + string.Join("; ", onset.Select(o => $"{o.line} {o.text}")) + ".");
        }
        var both = Cells.Where(c => c.Level > 0 && c.Stable != Stability.Undetermined && c.Matching is MatchState.Matches or MatchState.Below).ToList();
        if (both.Count == 0)
            lines.Add("Stable vs matching: no pruned level has both states determined (more seeds are needed), so the claim that tickets match exactly when they are stable cannot be checked here.");
        else
        {
            int agree = both.Count(c => (c.Stable == Stability.Stable) == (c.Matching == MatchState.Matches));
            lines.Add($"Stable vs matching: in {agree} of {both.Count} pruned group-levels where both are determined, \"stable\" (barrier < {Pp(Threshold)}) and \"matches dense\" agree.");
        }
        return lines;
    }

    /// <summary>Writes the report's <c>instability_summary.csv</c>: one row per group × level.</summary>
    public void Write(string path) => Csv.Write(path,
        ["group", "line", "level", "density", "start_iteration", "n", "instability_test", "ci_low", "ci_high", "instability_train", "stable", "matches_dense"],
        Cells.Select(c => (IReadOnlyList<string>)[c.Group, c.Line, Csv.Num(c.Level), Csv.Num(c.Density), Csv.Num(c.Start), Csv.Num(c.Test.N),
            Csv.Num(c.Test.Mean), Csv.Num(c.Test.Low), Csv.Num(c.Test.High), Csv.Num(c.Train.Mean), Word(c.Stable), c.Matching is { } m ? Match(m) : ""]));

    /// <summary>The stable-vs-matching table: header and rows.</summary>
    public (IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows) Table() =>
        (["group", "level", "% weights", "from it", "n", "barrier (test), pp [95% CI]", "barrier (train), pp", "stable (< 2 pp)", "matches dense"],
         Cells.Select(c => (IReadOnlyList<string>)[c.Group, I(c.Level), Verdict.Pct(c.Density), I(c.Start), I(c.Test.N),
             $"{Pp(c.Test)} [{Num(c.Test.Low)}, {Num(c.Test.High)}]", Num(c.Train.Mean), Word(c.Stable), c.Matching is { } m ? Match(m) : "(dense)"]).ToList());

    public string ToMarkdown()
    {
        var s = new StringBuilder();
        var (header, rows) = Table();
        s.Append("| ").Append(string.Join(" | ", header)).Append(" |\n|").Append(string.Concat(header.Select(_ => "---|"))).Append('\n');
        foreach (var r in rows) s.Append("| ").Append(string.Join(" | ", r.Select(HeadlineTable.Md))).Append(" |\n");
        return s.ToString();
    }

    private static string I(long x) => x.ToString(CultureInfo.InvariantCulture);
    private static string Num(double x) => double.IsNaN(x) ? "n/a" : (x * 100).ToString("0.00", CultureInfo.InvariantCulture);
    private static string Pp(MeanCi m) => Num(m.Mean) + " pp";
    private static string Pp(double x) => Num(x) + " pp";
    public static string Word(Stability s) => s switch { Stability.Stable => "stable", Stability.Unstable => "unstable", _ => "undetermined" };
    private static string Match(MatchState m) => m switch { MatchState.Matches => "matches", MatchState.Below => "below", _ => "undetermined" };

    /// <summary>Instability (test barrier, pp) against the rewind point, one panel per measured level, one line per scheme with its 95% band.</summary>
    public Multiplot VersusRewind(StudyResults study, out int width, out int height)
    {
        var levels = Cells.Select(c => c.Level).Distinct().Order().ToList();
        int cols = Math.Clamp(levels.Count, 1, 3), rows = (levels.Count + cols - 1) / cols;
        (width, height) = (cols * 460, rows * 340);
        double top = Math.Max(Threshold * 100 * 1.5, Cells.Max(c => double.IsNaN(c.Test.High) ? c.Test.Mean : c.Test.High) * 100 * 1.05);
        var multi = new Multiplot();
        foreach (var p in multi.GetPlots()) multi.RemovePlot(p);
        var layout = new ScottPlot.MultiplotLayouts.CustomGrid();
        multi.Layout = layout;
        for (int k = 0; k < levels.Count; k++)
        {
            var plot = new Plot();
            for (int i = 0; i < Lines.Count; i++)
            {
                var pts = Cells.Where(c => c.Line == Lines[i] && c.Level == levels[k]).OrderBy(c => c.Start).ToList();
                if (pts.Count == 0) continue;
                var xs = pts.Select(c => (double)Starts.ToList().IndexOf(c.Start)).ToArray();
                var line = MeanWithBand(plot, xs, pts, GroupPalette.At(i));
                line.MarkerSize = 6;
                if (k == 0) line.LegendText = Lines[i];
            }
            var threshold = plot.Add.HorizontalLine(Threshold * 100);
            threshold.Color = Colors.Gray;
            threshold.LinePattern = LinePattern.Dotted;
            var ticks = new ScottPlot.TickGenerators.NumericManual();
            for (int i = 0; i < Starts.Count; i++) ticks.AddMajor(i, I(Starts[i]));
            plot.Axes.Bottom.TickGenerator = ticks;
            plot.Axes.SetLimits(-0.3, Math.Max(1, Starts.Count - 1) + 0.3, 0, top);
            var density = Cells.Where(c => c.Level == levels[k]).Average(c => c.Density);
            plot.Title($"level {levels[k]}: {Verdict.Pct(density)} of weights");
            plot.XLabel("rewind iteration k (copies trained from it)");
            plot.YLabel(k % cols == 0 ? "instability: test-error barrier (pp)" : "");
            foreach (var axis in plot.Axes.GetAxes()) { axis.Label.FontSize = 12; axis.TickLabelStyle.FontSize = 10; }
            if (k == 0) { plot.Legend.FontName = PlotFonts.Ensure(); plot.Legend.FontSize = 11; plot.Legend.Alignment = Alignment.UpperRight; plot.ShowLegend(); }
            PlotFonts.Apply(plot);
            multi.AddPlot(plot);
            layout.Set(plot, new GridCell(k / cols, k % cols, rows, cols, 1, 1));
        }
        return multi;
    }

    /// <summary>The mean test barrier of <paramref name="pts"/> in pp at <paramref name="xs"/>, over its 95% t band (from two points on).</summary>
    private static ScottPlot.Plottables.Scatter MeanWithBand(Plot plot, double[] xs, List<InstabilityCell> pts, Color color)
    {
        if (xs.Length > 1)
        {
            var band = plot.Add.FillY(xs, pts.Select(c => Math.Max(0, (double.IsNaN(c.Test.Low) ? c.Test.Mean : c.Test.Low) * 100)).ToArray(),
                pts.Select(c => (double.IsNaN(c.Test.High) ? c.Test.Mean : c.Test.High) * 100).ToArray());
            band.FillColor = color.WithAlpha(0.15);
            band.LineWidth = 0;
        }
        var line = plot.Add.Scatter(xs, pts.Select(c => c.Test.Mean * 100).ToArray());
        line.Color = color;
        line.LineWidth = 2.2f;
        return line;
    }

    /// <summary>Instability (test barrier, pp) against % of weights remaining, one line per group with its 95% band.</summary>
    public Plot VersusDensity(StudyResults study)
    {
        var plot = new Plot();
        foreach (var g in study.Groups)
        {
            var pts = Cells.Where(c => c.Group == g.Name).OrderBy(c => c.Level).ToList();
            if (pts.Count == 0) continue;
            var xs = pts.Select(c => ReportFigures.X(c.Density)).ToArray();
            var line = MeanWithBand(plot, xs, pts, GroupPalette.Of(study, g));
            line.LegendText = g.Name;
            if (g.IsControl) line.LinePattern = LinePattern.Dashed;
        }
        var threshold = plot.Add.HorizontalLine(Threshold * 100);
        threshold.Color = Colors.Gray;
        threshold.LinePattern = LinePattern.Dotted;
        plot.Title("Instability vs weights remaining");
        plot.YLabel("test-error barrier (pp), mean and 95% band");
        ReportFigures.DensityAxis(plot, Cells.Select(c => c.Density).ToList());
        ReportFigures.Legend(plot);
        return plot;
    }

    /// <summary>
    /// Test error along the path (α from 0, the level's run, to 1, the second copy) for the lowest seed of each line at
    /// its earliest and latest rewind point, at the sparsest measured level; read from the levels' <c>instability.csv</c>.
    /// </summary>
    public Plot AlongThePath(StudyResults study)
    {
        var plot = new Plot();
        int level = Cells.Max(c => c.Level);
        for (int i = 0; i < Lines.Count; i++)
        {
            var color = GroupPalette.At(i);
            var starts = Cells.Where(c => c.Line == Lines[i] && c.Level == level).Select(c => c.Start).Distinct().Order().ToList();
            foreach (var start in starts.Count > 1 ? new[] { starts[0], starts[^1] } : starts.ToArray())
            {
                var cell = Cells.First(c => c.Line == Lines[i] && c.Level == level && c.Start == start);
                var run = study.Rows.Where(r => r.Group == cell.Group && r.Level == level && r.Summary.InstabilityTest.HasValue).MinBy(r => r.Seed);
                if (run is null || !File.Exists(System.IO.Path.Combine(run.LevelDir, RunStore.InstabilityFile))) continue;
                var pts = PathPoints.Read(StoredFiles.Level(run.LevelDir, run.Summary, RunStore.InstabilityFile));
                var test = pts.Where(p => p.Split == "test").OrderBy(p => p.Alpha).ToList();
                var line = plot.Add.Scatter(test.Select(p => p.Alpha).ToArray(), test.Select(p => p.Error * 100).ToArray());
                line.Color = color;
                line.LineWidth = 2;
                line.MarkerSize = 4;
                if (start != starts[0]) line.LinePattern = LinePattern.Dashed;
                line.LegendText = $"{Lines[i]}, k = {start}, seed {run.Seed}";
            }
        }
        plot.Title($"Test error along the path at level {level}");
        plot.XLabel("α: (1 − α)·w_A + α·w_B  (A: the level's run, B: the second copy)");
        plot.YLabel("test error (%)");
        PlotFonts.Apply(plot);
        ReportFigures.Legend(plot);
        return plot;
    }
}
