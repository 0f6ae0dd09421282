using System.Globalization;
using ScottPlot;

namespace Lth.Reports;

/// <summary>
/// The figures that show differences between groups: each trained group's difference from the baseline vs density,
/// and one level's pairwise matrix as a heat map.
/// </summary>
public static class DifferenceFigures
{
    /// <summary>One line per group: mean difference from the baseline (pp) vs % weights remaining, its 95% CI as a band; the baseline is the zero line.</summary>
    public static Plot FromBaseline(StudyResults study, IReadOnlyList<BaselinePoint> points, string baseline)
    {
        var plot = new Plot();
        var densities = points.Select(p => p.Density).ToList();
        foreach (var grp in points.GroupBy(p => p.Group))
        {
            var g = study.Group(grp.Key);
            var pts = grp.OrderBy(p => p.Level).ToList();
            var color = GroupPalette.Of(study, g);
            var xs = pts.Select(p => ReportFigures.X(p.Density)).ToArray();
            if (xs.Length > 1)
            {
                var band = plot.Add.FillY(xs, pts.Select(p => 100 * (double.IsNaN(p.Difference.Low) ? p.Difference.Difference : p.Difference.Low)).ToArray(),
                    pts.Select(p => 100 * (double.IsNaN(p.Difference.High) ? p.Difference.Difference : p.Difference.High)).ToArray());
                band.FillColor = color.WithAlpha(0.15);
                band.LineWidth = 0;
            }
            var line = plot.Add.Scatter(xs, pts.Select(p => 100 * p.Difference.Difference).ToArray());
            line.Color = color;
            line.LineWidth = 2.5f;
            line.MarkerSize = 6;
            line.LegendText = g.Name;
            if (g.IsControl) { line.LinePattern = LinePattern.Dashed; line.MarkerShape = MarkerShape.OpenCircle; }
        }
        var zero = plot.Add.HorizontalLine(0);
        zero.LineColor = GroupPalette.Of(study, baseline);
        zero.LineWidth = 1.5f;
        zero.LinePattern = LinePattern.Dotted;   // dotted: a control of the baseline's scheme shares its colour, dashed
        zero.LegendText = $"{baseline} (baseline)";
        plot.Title($"Difference from {baseline} (baseline), paired by seed");
        plot.YLabel($"Δ test accuracy vs {baseline} (pp), 95% CI band");
        if (densities.Count == 0) densities.Add(1);
        ReportFigures.DensityAxis(plot, densities);
        ReportFigures.Legend(plot);
        return plot;
    }

    /// <summary>
    /// The matrix of one level: cell (row i, column j) coloured by the mean difference row − column on a blue (row more
    /// accurate) to red scale symmetric about 0, saturated at <paramref name="limit"/> (a fraction, shared across levels),
    /// annotated in pp; Holm-significant cells carry an asterisk and a thick black border.
    /// </summary>
    public static Plot Heatmap(PairwiseMatrix m, double limit)
    {
        var plot = new Plot();
        int n = m.Groups.Count;
        var cmap = new ScottPlot.Colormaps.Balance();
        string font = PlotFonts.Ensure();
        limit = Math.Max(limit, 1e-4);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double d = m.Difference[i, j];
                var rect = plot.Add.Rectangle(j, j + 1, n - i - 1, n - i);
                double v = double.IsNaN(d) ? 0.5 : 0.5 + Math.Clamp(d / limit, -1, 1) * 0.4;   // the colormap's darkest tenths left out
                rect.FillColor = i == j ? Colors.LightGray : double.IsNaN(d) ? Colors.White : cmap.GetColor(1 - v);
                rect.LineColor = Colors.White;
                rect.LineWidth = 1;
                if (i == j || double.IsNaN(d)) continue;
                if (m.Significant[i, j])
                {
                    var edge = plot.Add.Rectangle(j + 0.04, j + 0.96, n - i - 0.96, n - i - 0.04);
                    edge.FillColor = Colors.Transparent;
                    edge.LineColor = Colors.Black;
                    edge.LineWidth = 3;
                }
                var t = plot.Add.Text((d * 100).ToString("+0.00;−0.00;0.00", CultureInfo.InvariantCulture) + (m.Significant[i, j] ? "*" : ""), j + 0.5, n - i - 0.5);
                t.LabelFontName = font;
                t.LabelFontSize = n <= 6 ? 14 : n <= 10 ? 11 : 9;
                t.LabelBold = m.Significant[i, j];
                t.LabelFontColor = Math.Abs(v - 0.5) > 0.28 ? Colors.White : Colors.Black;
                t.LabelAlignment = Alignment.MiddleCenter;
            }
        ReportFigures.MatrixAxes(plot, m.Groups);
        plot.Title($"Level {m.Level} ({Verdict.Pct(m.Density)}): row − column (pp), * Holm p < {Comparisons.Alpha.ToString(CultureInfo.InvariantCulture)}");
        plot.XLabel($"column, numbered as the rows; blue: row better (full at ±{(limit * 100).ToString("0.0#", CultureInfo.InvariantCulture)} pp)");
        PlotFonts.Apply(plot);
        return plot;
    }

    /// <summary>Pixel size of a heat map of <paramref name="groups"/> groups (square cells, room for row labels).</summary>
    public static (int Width, int Height) HeatmapSize(int groups)
    {
        int size = Math.Clamp(200 + 56 * groups, 420, 1200);
        return (Math.Max(size + 260, 820), size);
    }
}
