using System.Globalization;
using System.Text;
using ScottPlot;

namespace Lth.Reports;

/// <summary>
/// One pruning strategy at one level of one panel: test accuracy at early stop over seeds (n usable, mean, 95% t CI),
/// and layer collapse. The panel is what its groups share (the init scheme and any other varying hparam but
/// <c>--strategy</c>); the strategy carries its control tag, if any; <c>Collapsed</c> counts the runs of this level in
/// which a pruned layer kept no weight (<c>collapsed_layers</c>), out of <c>Runs</c> finished runs.
/// </summary>
public sealed record StrategyPoint(string Panel, string Strategy, string Group, int Level, double Density, int N, double Mean, double CiLow, double CiHigh, int Collapsed, int Runs);

/// <summary>A pair of strategies whose order flips between two panels at one landmark, significantly in both (Holm p &lt; 0.05).</summary>
public sealed record StrategyReversal(Landmark Landmark, string First, string Second, string PanelFirstBetter, string PanelSecondBetter);

/// <summary>
/// Pruning strategies side by side, one panel per init scheme, when a study varies <c>--strategy</c> (as
/// <c>pai-inits</c> does): IMP (<c>magnitude</c>) and the pruning-at-initialization strategies on one
/// accuracy-vs-density axis per scheme, layer collapse marked. It answers "does the ranking of strategies change
/// with the init scheme?" from the data: the order of the means per panel at each landmark, and the reversals the
/// seeds support, that is a pair significantly ordered one way in one panel and the other way in another (the
/// report's pairwise t tests, Holm-adjusted over every pair of groups of the level, so conservative).
/// </summary>
public sealed class StrategyPanels
{
    public const string StrategyFlag = "strategy";

    /// <summary>Panels in study order (by name).</summary>
    public IReadOnlyList<string> Panels { get; }
    /// <summary>Strategies: <c>magnitude</c> first, the <c>random</c> pruner last, the others by name.</summary>
    public IReadOnlyList<string> Strategies { get; }
    public IReadOnlyList<StrategyPoint> Points { get; }
    public IReadOnlyList<Landmark> Landmarks { get; }
    public IReadOnlyList<StrategyReversal> Reversals { get; }
    /// <summary>The fewest usable seeds of any point at a landmark.</summary>
    public int MinSeeds { get; }

    private StrategyPanels(List<string> panels, List<string> strategies, List<StrategyPoint> points, IReadOnlyList<Landmark> landmarks, List<StrategyReversal> reversals, int minSeeds)
    {
        Panels = panels; Strategies = strategies; Points = points; Landmarks = landmarks; Reversals = reversals; MinSeeds = minSeeds;
    }

    /// <summary>The panels, or null when <c>--strategy</c> does not vary in the study.</summary>
    public static StrategyPanels? Compute(StudyResults study, IReadOnlyList<GroupLevelStats> summary, IReadOnlyList<Comparison> comparisons, IReadOnlyList<Landmark> landmarks)
    {
        if (study.Varying.All(f => f.Flag != StrategyFlag)) return null;
        var key = study.Groups.ToDictionary(g => g.Name, g => (Panel: PanelOf(g), Strategy: StrategyOf(g)));
        var points = new List<StrategyPoint>();
        foreach (var s in summary.Where(s => s.Metric == Metric.TestAccuracy.Name))
        {
            var rows = study.Rows.Where(r => r.Group == s.Group && r.Level == s.Level).ToList();
            var (panel, strategy) = key[s.Group];
            points.Add(new StrategyPoint(panel, strategy, s.Group, s.Level, s.Density, s.N, s.Mean, s.CiLow, s.CiHigh,
                rows.Count(r => r.Summary.CollapsedLayers.Count > 0), rows.Count));
        }
        var panels = key.Values.Select(k => k.Panel).Distinct().Order(StringComparer.Ordinal).ToList();
        var strategies = key.Values.Select(k => k.Strategy).Distinct()
            .OrderBy(s => s.StartsWith("magnitude ", StringComparison.Ordinal) || s == "magnitude" ? 0 : s.StartsWith("random", StringComparison.Ordinal) ? 2 : 1)
            .ThenBy(s => s, StringComparer.Ordinal).ToList();

        var reversals = new List<StrategyReversal>();
        foreach (var lm in landmarks)
        {
            // Per panel, the significant orders between its strategies at this landmark: (better, worse).
            var significant = new Dictionary<string, HashSet<(string, string)>>();
            foreach (var c in comparisons.Where(c => c.Level == lm.Level && c.Direction() != 0))
            {
                var (a, b) = (key[c.A], key[c.B]);
                if (a.Panel != b.Panel) continue;
                var pair = c.Direction() > 0 ? (a.Strategy, b.Strategy) : (b.Strategy, a.Strategy);
                if (!significant.TryGetValue(a.Panel, out var set)) significant[a.Panel] = set = [];
                set.Add(pair);
            }
            foreach (var (p1, set1) in significant)
                foreach (var (better, worse) in set1)
                    foreach (var (p2, set2) in significant)
                        if (set2.Contains((worse, better)) && !reversals.Any(r => r.Landmark == lm && r.First == worse && r.Second == better))
                            reversals.Add(new StrategyReversal(lm, better, worse, p1, p2));
        }
        var atLandmarks = points.Where(p => landmarks.Any(l => l.Level == p.Level)).ToList();
        int minSeeds = atLandmarks.Count == 0 ? 0 : atLandmarks.Min(p => p.N);
        return new StrategyPanels(panels, strategies, points, landmarks, reversals, minSeeds);
    }

    /// <summary>The panel of a group: its varying hparams other than the strategy and the control (the scheme first), or "all".</summary>
    public static string PanelOf(StudyGroup g)
    {
        var parts = g.Values.Where(kv => kv.Key is not (StrategyFlag or "control")).OrderBy(kv => kv.Key == "init" ? 0 : 1)
            .Select(kv => kv.Key == "init" ? kv.Value : $"{kv.Key}={kv.Value}").ToList();
        return parts.Count == 0 ? "all" : string.Join(" ", parts);
    }

    /// <summary>The line of a group inside its panel: its strategy, with the control tag when it is a control.</summary>
    public static string StrategyOf(StudyGroup g)
    {
        string s = g.Values.TryGetValue(StrategyFlag, out var v) ? v : "magnitude";
        return g.IsControl ? $"{s} [{ChoiceText.Of(g.Control)}]" : s;
    }

    /// <summary>The display name of a strategy: IMP for magnitude pruning after training.</summary>
    public static string Label(string strategy) => strategy == "magnitude" ? "magnitude (IMP)" : strategy;

    public StrategyPoint? At(string panel, string strategy, int level) =>
        Points.FirstOrDefault(p => p.Panel == panel && p.Strategy == strategy && p.Level == level);

    /// <summary>The strategies of a panel at a level with a usable mean, best first.</summary>
    public List<StrategyPoint> Order(string panel, int level) =>
        Points.Where(p => p.Panel == panel && p.Level == level && p.N > 0 && !double.IsNaN(p.Mean))
              .OrderByDescending(p => p.Mean).ThenBy(p => Strategies.ToList().IndexOf(p.Strategy)).ToList();

    /// <summary>
    /// The answer, one line per landmark then the reversals: whether the order of the means is the same in every
    /// panel, which strategy leads where, and whether the seeds support any change of order.
    /// </summary>
    public IReadOnlyList<string> Answer()
    {
        var lines = new List<string>();
        foreach (var lm in Landmarks)
        {
            var orders = Panels.Select(p => (Panel: p, Order: Order(p, lm.Level).Select(x => x.Strategy).ToList())).Where(x => x.Order.Count > 1).ToList();
            if (orders.Count == 0) continue;
            string at = $"At {Verdict.Pct(lm.Density)} (level {lm.Level})";
            var distinct = orders.GroupBy(o => string.Join(" > ", o.Order.Select(Label))).OrderByDescending(g => g.Count()).ToList();
            var leaders = orders.GroupBy(o => o.Order[0]).OrderByDescending(g => g.Count()).ToList();
            string lead = leaders.Count == 1 ? $"{Label(leaders[0].Key)} leads in every panel"
                : string.Join("; ", leaders.Select(g => $"{Label(g.Key)} leads for {string.Join(", ", g.Select(o => o.Panel))}"));
            string common = distinct[0].Count() == 1 ? "no two panels share an order"
                : $"most common: {distinct[0].Key} ({distinct[0].Count()} of {orders.Count})";
            lines.Add(distinct.Count == 1
                ? $"{at}: the same order of means in all {orders.Count} panels: {distinct[0].Key}."
                : $"{at}: {distinct.Count} different orders of the means over {orders.Count} panels; {lead}; {common}.");
        }
        if (MinSeeds < 3)
            lines.Add($"Whether the ranking changes with the init scheme is undetermined: some strategy has only {MinSeeds} usable seed(s) at a landmark (at least 3 are needed for a test with power); the orders above are orders of means.");
        else if (Reversals.Count == 0)
            lines.Add("No change of order is supported by the seeds: no pair of strategies is significantly ordered one way under one scheme and the other way under another (t tests, Holm p < 0.05 over every pair of groups of the level). Differences in the orders of the means above are within the noise.");
        foreach (var r in MinSeeds < 3 ? [] : Reversals)
            lines.Add($"Ranking changes at {Verdict.Pct(r.Landmark.Density)}: {Label(r.First)} beats {Label(r.Second)} under {r.PanelFirstBetter} but loses to it under {r.PanelSecondBetter} (both significant, Holm p < 0.05).");
        return lines;
    }

    /// <summary>A markdown table per landmark: panels as rows, strategies as columns, mean % and rank; † where a layer collapsed.</summary>
    public string ToMarkdown()
    {
        var s = new StringBuilder();
        foreach (var lm in Landmarks)
        {
            s.Append($"\n**At {Verdict.Pct(lm.Density)} of weights (level {lm.Level})**: test accuracy at early stop, mean % over seeds (rank within the row)\n\n");
            var (header, rows) = Table(lm.Level);
            s.Append("| ").Append(string.Join(" | ", header.Select(HeadlineTable.Md))).Append(" |\n|---|");
            s.Append(string.Concat(Enumerable.Repeat("---:|", header.Count - 1))).Append('\n');
            foreach (var row in rows) s.Append("| ").Append(string.Join(" | ", row.Select(HeadlineTable.Md))).Append(" |\n");
        }
        if (Points.Any(p => p.Collapsed > 0)) s.Append("\n† a pruned layer kept no weight (collapsed) in at least one seed: that network is disconnected.\n");
        return s.ToString();
    }

    /// <summary>The table of one level: header and rows (panel, then one cell per strategy).</summary>
    public (IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows) Table(int level)
    {
        var header = new List<string> { "init" };
        header.AddRange(Strategies.Select(Label));
        var rows = new List<IReadOnlyList<string>>();
        foreach (var panel in Panels)
        {
            var order = Order(panel, level);
            var row = new List<string> { panel };
            foreach (var st in Strategies)
            {
                var p = At(panel, st, level);
                if (p is null || p.N == 0 || double.IsNaN(p.Mean)) { row.Add("—"); continue; }
                int rank = order.FindIndex(x => x.Strategy == st) + 1;
                row.Add($"{(p.Mean * 100).ToString("0.0", CultureInfo.InvariantCulture)} ({rank}){(p.Collapsed > 0 ? " †" : "")}");
            }
            rows.Add(row);
        }
        return (header, rows);
    }

    /// <summary>Writes <c>strategies.csv</c>: one row per panel × strategy × level.</summary>
    public void Write(string path) => Csv.Write(path,
        ["panel", "strategy", "group", "level", "density", "n", "mean", "ci_low", "ci_high", "rank", "collapsed_runs", "runs"],
        Points.OrderBy(p => p.Panel, StringComparer.Ordinal).ThenBy(p => p.Level).ThenBy(p => Strategies.ToList().IndexOf(p.Strategy)).Select(p =>
        {
            int rank = Order(p.Panel, p.Level).FindIndex(x => x.Strategy == p.Strategy) + 1;
            return (IReadOnlyList<string>)[p.Panel, p.Strategy, p.Group, Csv.Num(p.Level), Csv.Num(p.Density), Csv.Num(p.N), Csv.Num(p.Mean),
                Csv.Num(p.CiLow), Csv.Num(p.CiHigh), rank > 0 ? Csv.Num(rank) : "", Csv.Num(p.Collapsed), Csv.Num(p.Runs)];
        }));

    public const int PanelWidth = 430, PanelHeight = 320;

    /// <summary>Pixel size of the grid of panels (at most 3 columns, one row more for the legend).</summary>
    public (int Width, int Height) Size()
    {
        int cols = Math.Clamp(Panels.Count, 1, 3), rows = (Panels.Count + cols - 1) / cols;
        return (cols * PanelWidth, rows * PanelHeight + 60);
    }

    /// <summary>
    /// One panel per init scheme, shared y axis: each strategy's mean with its 95% t band (the same colour for a
    /// strategy in every panel; IMP thick), and a black ✕ on every point where a layer collapsed in some seed.
    /// </summary>
    public Multiplot Figure()
    {
        int cols = Math.Clamp(Panels.Count, 1, 3), rows = (Panels.Count + cols - 1) / cols;
        var usable = Points.Where(p => p.N > 0 && !double.IsNaN(p.Mean)).ToList();
        double low = usable.Count == 0 ? 0 : Math.Max(0, usable.Min(p => double.IsNaN(p.CiLow) ? p.Mean : p.CiLow) - 0.02);
        double high = usable.Count == 0 ? 1 : Math.Min(1, usable.Max(p => double.IsNaN(p.CiHigh) ? p.Mean : p.CiHigh) + 0.02);
        var multi = new Multiplot();
        foreach (var p in multi.GetPlots()) multi.RemovePlot(p);
        var layout = new ScottPlot.MultiplotLayouts.CustomGrid();
        multi.Layout = layout;
        for (int k = 0; k < Panels.Count; k++)
        {
            var plot = new Plot();
            var densities = new List<double>();
            for (int i = 0; i < Strategies.Count; i++)
            {
                var pts = usable.Where(p => p.Panel == Panels[k] && p.Strategy == Strategies[i]).OrderBy(p => p.Level).ToList();
                if (pts.Count == 0) continue;
                densities.AddRange(pts.Select(p => p.Density));
                var color = GroupPalette.At(i);
                var xs = pts.Select(p => ReportFigures.X(p.Density)).ToArray();
                if (xs.Length > 1)
                {
                    var band = plot.Add.FillY(xs, pts.Select(p => Math.Clamp(double.IsNaN(p.CiLow) ? p.Mean : p.CiLow, 0, 1)).ToArray(),
                        pts.Select(p => Math.Clamp(double.IsNaN(p.CiHigh) ? p.Mean : p.CiHigh, 0, 1)).ToArray());
                    band.FillColor = color.WithAlpha(0.12);
                    band.LineWidth = 0;
                }
                var line = plot.Add.Scatter(xs, pts.Select(p => p.Mean).ToArray());
                line.Color = color;
                line.LineWidth = Strategies[i] == "magnitude" ? 3f : 1.8f;
                line.MarkerSize = 5;
                if (Strategies[i].Contains('[')) line.LinePattern = LinePattern.Dashed;
                if (k == 0) line.LegendText = Label(Strategies[i]);
                var collapsed = pts.Where(p => p.Collapsed > 0).ToList();
                if (collapsed.Count > 0) Marks(plot, collapsed.Select(p => ReportFigures.X(p.Density)).ToArray(), collapsed.Select(p => p.Mean).ToArray());
            }
            plot.Title(Panels[k]);
            plot.Axes.Title.Label.FontSize = 14;
            ReportFigures.DensityAxis(plot, densities);
            plot.Axes.SetLimitsY(low, high);
            int row = k / cols, col = k % cols;
            if (row != rows - 1 && k + cols < Panels.Count) plot.XLabel("");
            plot.YLabel(col == 0 ? "test accuracy at early stop" : "");
            foreach (var axis in plot.Axes.GetAxes()) { axis.Label.FontSize = 12; axis.TickLabelStyle.FontSize = 10; }
            if (k == 0)
            {
                if (Points.Any(p => p.Collapsed > 0))
                {
                    Marks(plot, [double.NaN], [double.NaN]).LegendText = "layer collapsed (≥ 1 seed)";
                }
                plot.Legend.FontName = PlotFonts.Ensure();
                plot.Legend.FontSize = 11;
                plot.Legend.Alignment = Alignment.LowerLeft;
                plot.ShowLegend();
            }
            PlotFonts.Apply(plot);
            multi.AddPlot(plot);
            layout.Set(plot, new GridCell(row, col, rows, cols, 1, 1));
        }
        return multi;
    }

    /// <summary>Black ✕ markers (layer collapse) at the given points.</summary>
    internal static ScottPlot.Plottables.Scatter Marks(Plot plot, double[] xs, double[] ys)
    {
        var marks = plot.Add.ScatterPoints(xs, ys);
        marks.Color = Colors.Black;
        marks.MarkerShape = MarkerShape.Eks;
        marks.MarkerSize = 11;
        marks.MarkerLineWidth = 2;
        return marks;
    }
}
