using System.Globalization;
using ScottPlot;

namespace Lth.Reports;

/// <summary>A figure of the report, written as PNG and SVG.</summary>
/// <param name="Embedded">Whether report.html shows it (figures left out are named in its details).</param>
public sealed record ReportFigure(string Name, string Title, string Caption, string PngPath, string SvgPath, bool Embedded = true);

/// <summary>
/// The report's plots (ScottPlot 5, embedded DejaVu Sans via <see cref="PlotFonts"/>). Density axes follow Frankle
/// &amp; Carbin: % of weights remaining on a log scale, reversed (100 on the left, sparser to the right).
/// Groups keep one colour across figures (<see cref="GroupPalette"/>); a control shares its scheme's colour and is dashed.
/// Legends sit outside the data area.
/// </summary>
public static class ReportFigures
{
    public const int Width = 900, Height = 560;

    /// <summary>
    /// Mean of <paramref name="metric"/> per group vs % weights remaining, with the 95% t CI as a band; only the groups
    /// in <paramref name="only"/> when given (the y axis then fits them alone).
    /// </summary>
    public static Plot MetricVsDensity(StudyResults study, IReadOnlyList<GroupLevelStats> summary, Metric metric, string title, IReadOnlyCollection<string>? only = null)
    {
        var plot = new Plot();
        var densities = new List<double>();
        foreach (var g in study.Groups.Where(g => only is null || only.Contains(g.Name)))
        {
            var pts = summary.Where(s => s.Group == g.Name && s.Metric == metric.Name && s.N > 0).OrderBy(s => s.Level).ToList();
            if (pts.Count == 0) continue;
            var xs = pts.Select(p => X(p.Density)).ToArray();
            densities.AddRange(pts.Select(p => p.Density));
            var color = ColorOf(study, g);
            var ys = pts.Select(p => p.Mean).ToArray();
            // Accuracies live in [0, 1]: the band is clipped there (the CSV keeps the unclipped t interval).
            bool bounded = metric != Metric.EarlyStopIteration;
            double Clip(double v) => bounded ? Math.Clamp(v, 0, 1) : v;
            var lo = pts.Select(p => Clip(double.IsNaN(p.CiLow) ? p.Mean : p.CiLow)).ToArray();
            var hi = pts.Select(p => Clip(double.IsNaN(p.CiHigh) ? p.Mean : p.CiHigh)).ToArray();
            if (xs.Length > 1)
            {
                var band = plot.Add.FillY(xs, lo, hi);
                band.FillColor = color.WithAlpha(g.IsControl ? 0.08 : 0.18);
                band.LineWidth = 0;
            }
            var line = plot.Add.Scatter(xs, ys);
            line.Color = color;
            line.LineWidth = 2.5f;
            line.MarkerSize = 7;
            line.LegendText = g.Name;
            if (g.IsControl) { line.LinePattern = LinePattern.Dashed; line.MarkerShape = MarkerShape.OpenCircle; }
            CollapseMarks(plot, study, g.Name, pts.Select(p => (p.Level, X: X(p.Density), Y: p.Mean)).ToList());
        }
        plot.Title(title);
        plot.YLabel(metric.Label + (metric == Metric.EarlyStopIteration ? "" : " (mean, 95% CI band)"));
        DensityAxis(plot, densities);
        Legend(plot);
        return plot;
    }

    /// <summary>A black ✕ on each point (level, x, y) of <paramref name="group"/> where a pruned layer kept no weight in some seed.</summary>
    internal static void CollapseMarks(Plot plot, StudyResults study, string group, IReadOnlyList<(int Level, double X, double Y)> points)
    {
        var collapsed = study.Rows.Where(r => r.Group == group && r.Summary.CollapsedLayers.Count > 0).Select(r => r.Level).ToHashSet();
        var marked = points.Where(p => collapsed.Contains(p.Level)).ToList();
        if (marked.Count == 0) return;
        StrategyPanels.Marks(plot, marked.Select(p => p.X).ToArray(), marked.Select(p => p.Y).ToArray());
    }

    /// <summary>Every seed of one group as its own thin line (diverged levels left out), and the group mean thick.</summary>
    public static Plot Spaghetti(StudyResults study, StudyGroup g, Metric metric)
    {
        var plot = new Plot();
        var color = ColorOf(study, g);
        var rows = study.Of(g.Name).ToList();
        var densities = rows.Select(r => r.Summary.Density).ToList();
        foreach (var seed in rows.Select(r => r.Seed).Distinct().Order())
        {
            var pts = rows.Where(r => r.Seed == seed && metric.Of(r) is not null).OrderBy(r => r.Level).ToList();
            if (pts.Count == 0) continue;
            var line = plot.Add.Scatter(pts.Select(r => X(r.Summary.Density)).ToArray(), pts.Select(r => metric.Of(r)!.Value).ToArray());
            line.Color = color.WithAlpha(0.55);
            line.LineWidth = 1.2f;
            line.MarkerSize = 4;
            var last = pts[^1];
            var label = plot.Add.Text($"s{seed}", X(last.Summary.Density), metric.Of(last)!.Value);
            label.LabelFontName = PlotFonts.Ensure();
            label.LabelFontSize = 11;
            label.LabelFontColor = color.Darken(0.3);
            label.LabelAlignment = Alignment.MiddleLeft;
        }
        var mean = rows.Where(r => metric.Of(r) is not null).GroupBy(r => r.Level).OrderBy(x => x.Key)
            .Select(x => (X: X(x.Average(r => r.Summary.Density)), Y: x.Average(r => metric.Of(r)!.Value))).ToList();
        if (mean.Count > 0)
        {
            var m = plot.Add.Scatter(mean.Select(p => p.X).ToArray(), mean.Select(p => p.Y).ToArray());
            m.Color = Colors.Black;
            m.LineWidth = 2.5f;
            m.MarkerSize = 0;
            m.LegendText = "mean over seeds";
            if (g.IsControl) m.LinePattern = LinePattern.Dashed;
        }
        plot.Title($"{g.Name}: every seed");
        plot.YLabel(metric.Label);
        DensityAxis(plot, densities);
        Legend(plot, Edge.Bottom);
        return plot;
    }

    /// <summary>The Jaccard matrix as a heat map (viridis, 0 to 1), each cell annotated.</summary>
    public static Plot Overlap(MaskOverlapResult r)
    {
        var plot = new Plot();
        int n = r.Labels.Count;
        var cmap = new ScottPlot.Colormaps.Viridis();
        string font = PlotFonts.Ensure();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double v = r.Jaccard[i, j];
                var rect = plot.Add.Rectangle(j, j + 1, n - i - 1, n - i);
                rect.FillColor = cmap.GetColor(Math.Clamp(v, 0, 1));
                rect.LineColor = Colors.White;
                rect.LineWidth = 1;
                if (n <= 20)
                {
                    var t = plot.Add.Text(v.ToString("0.00", CultureInfo.InvariantCulture), j + 0.5, n - i - 0.5);
                    t.LabelFontName = font;
                    t.LabelFontSize = n <= 10 ? 12 : 9;
                    t.LabelFontColor = v > 0.6 ? Colors.Black : Colors.White;
                    t.LabelAlignment = Alignment.MiddleCenter;
                }
            }
        MatrixAxes(plot, r.Labels);
        plot.Title($"Jaccard overlap of masks, level {r.Level} ({Verdict.Pct(r.Density)}); random ≈ {r.RandomExpected.ToString("0.00", CultureInfo.InvariantCulture)}");
        plot.XLabel("mask (numbered as on the left)");
        PlotFonts.Apply(plot);
        return plot;
    }

    /// <summary>Writes <paramref name="plot"/> as <c>name.png</c> and <c>name.svg</c> in <paramref name="dir"/>.</summary>
    public static ReportFigure Save(Plot plot, string dir, string name, string title, string caption, int width = Width, int height = Height)
    {
        Directory.CreateDirectory(dir);
        string png = Path.Combine(dir, name + ".png"), svg = Path.Combine(dir, name + ".svg");
        plot.SavePng(png, width, height);
        plot.SaveSvg(svg, width, height);
        return new ReportFigure(name, title, caption, png, svg);
    }

    /// <summary>Writes a grid of panels as <c>name.png</c> and <c>name.svg</c> (SVG through SkiaSharp's SVG canvas).</summary>
    public static ReportFigure Save(Multiplot multiplot, string dir, string name, string title, string caption, int width, int height)
    {
        Directory.CreateDirectory(dir);
        string png = Path.Combine(dir, name + ".png"), svg = Path.Combine(dir, name + ".svg");
        multiplot.SavePng(png, width, height);
        using (var stream = new SkiaSharp.SKFileWStream(svg))
        using (var canvas = SkiaSharp.SKSvgCanvas.Create(SkiaSharp.SKRect.Create(width, height), stream))
        {
            canvas.Clear(SkiaSharp.SKColors.White);
            multiplot.Render(canvas, new PixelRect(0, width, height, 0));
        }
        return new ReportFigure(name, title, caption, png, svg);
    }

    /// <summary>A file-name-safe form of a group name.</summary>
    public static string Slug(string s)
    {
        var chars = s.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_').ToArray();
        return System.Text.RegularExpressions.Regex.Replace(new string(chars), "_+", "_").Trim('_');
    }

    /// <summary>Axes of an n×n matrix figure: columns numbered 1..n, rows "i: label" from the top, no grid.</summary>
    internal static void MatrixAxes(Plot plot, IReadOnlyList<string> labels)
    {
        int n = labels.Count;
        var bottom = new ScottPlot.TickGenerators.NumericManual();
        var left = new ScottPlot.TickGenerators.NumericManual();
        for (int i = 0; i < n; i++)
        {
            bottom.AddMajor(i + 0.5, (i + 1).ToString(CultureInfo.InvariantCulture));
            left.AddMajor(n - i - 0.5, $"{i + 1}: {labels[i]}");
        }
        plot.Axes.Bottom.TickGenerator = bottom;
        plot.Axes.Left.TickGenerator = left;
        plot.Axes.SetLimits(0, n, 0, n);
        plot.Grid.IsVisible = false;
    }

    internal static double X(double density) => Math.Log10(Math.Max(density, 1e-6) * 100);

    /// <summary>Log-scale % remaining, reversed: ticks at the levels' densities (or 1-2-5 steps when there are many).</summary>
    internal static void DensityAxis(Plot plot, IReadOnlyList<double> densities)
    {
        var pct = densities.Where(d => d > 0).Select(d => d * 100).ToList();
        if (pct.Count == 0) pct.Add(100);
        double max = Math.Max(100, pct.Max()), min = Math.Min(pct.Min(), max / 1.5);
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        var distinct = pct.Select(p => Math.Round(p, 1)).Distinct().OrderDescending().ToList();
        IEnumerable<double> marks = distinct.Count <= 10 ? distinct
            : new[] { 100, 50, 20, 10, 5, 2, 1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01 }.Where(v => v <= max * 1.01 && v >= min * 0.99);
        foreach (var v in marks) ticks.AddMajor(Math.Log10(v), v.ToString(v >= 10 ? "0.#" : "0.##", CultureInfo.InvariantCulture));
        plot.Axes.Bottom.TickGenerator = ticks;
        double pad = 0.04 * Math.Max(Math.Log10(max) - Math.Log10(min), 0.3);
        plot.Axes.AutoScale();
        plot.Axes.SetLimitsX(Math.Log10(max) + pad, Math.Log10(min) - pad * 4);   // reversed: dense on the left; room for labels on the right
        plot.XLabel("% of weights remaining (log scale)");
        PlotFonts.Apply(plot);
    }

    /// <summary>The legend outside the data area (right by default), so it never covers a line.</summary>
    internal static void Legend(Plot plot, Edge where = Edge.Right)
    {
        plot.Legend.FontName = PlotFonts.Ensure();
        plot.Legend.FontSize = 12;
        plot.ShowLegend(where);
    }

    /// <summary>One colour per group (<see cref="GroupPalette"/>), a control taking the colour of the group it controls.</summary>
    public static Color ColorOf(StudyResults study, StudyGroup g) => GroupPalette.Of(study, g);
}
