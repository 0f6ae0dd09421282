using ScottPlot;

namespace Lth.Reports;

/// <summary>
/// Where the winners sat at initialization, as small multiples: one panel per group (in the group's colour), the
/// survivors' histogram of z = w₀/σ (solid) against the pruned weights' (grey, dotted), each normalized to sum 1, on
/// axes shared by every panel.
/// </summary>
public static class WinnerPanels
{
    public const int PanelWidth = 360, PanelHeight = 250;

    /// <summary>Columns of the grid for <paramref name="panels"/> panels (at most 4).</summary>
    public static int Columns(int panels) => Math.Clamp(panels, 1, 4);

    /// <summary>Pixel size of the whole grid.</summary>
    public static (int Width, int Height) Size(int panels)
    {
        int cols = Columns(panels), rows = (panels + cols - 1) / cols;
        return (cols * PanelWidth, rows * PanelHeight);
    }

    public static Multiplot Build(StudyResults study, IReadOnlyList<SurvivorHistogram> hists)
    {
        int cols = Columns(hists.Count), rows = (hists.Count + cols - 1) / cols;
        double top = 1e-3;
        foreach (var h in hists)
            foreach (var counts in new[] { h.Survivors, h.Pruned })
                if (counts.Sum() > 0) top = Math.Max(top, counts.Max() / (double)counts.Sum());
        var multi = new Multiplot();
        foreach (var p in multi.GetPlots()) multi.RemovePlot(p);   // it may start with one empty plot
        var layout = new ScottPlot.MultiplotLayouts.CustomGrid();
        multi.Layout = layout;
        for (int k = 0; k < hists.Count; k++)
        {
            var h = hists[k];
            var plot = new Plot();
            var g = study.Group(h.Group);
            var color = GroupPalette.Of(study, g);
            Add(plot, h, h.Pruned, Colors.Gray, 1.5f, LinePattern.Dotted);
            Add(plot, h, h.Survivors, color, 2.5f, g.IsControl ? LinePattern.Dashed : LinePattern.Solid);
            plot.Axes.SetLimits(SurvivorHistograms.Low - 0.1, SurvivorHistograms.High + 0.1, 0, top * 1.05);
            plot.Title($"{h.Group}: {Verdict.Pct(h.Density)}, {h.Seeds} seed{(h.Seeds == 1 ? "" : "s")}");
            plot.Axes.Title.Label.FontSize = h.Group.Length > 24 ? 11 : 13;
            plot.Axes.Title.Label.ForeColor = color.Darken(0.3);
            int row = k / cols, col = k % cols;
            if (row == rows - 1 || k + cols >= hists.Count) plot.XLabel("z = w₀/σ; solid: survivors, dotted: pruned");
            if (col == 0) plot.YLabel("fraction per bin");
            foreach (var axis in plot.Axes.GetAxes()) { axis.Label.FontSize = 11; axis.TickLabelStyle.FontSize = 10; }
            PlotFonts.Apply(plot);
            multi.AddPlot(plot);
            layout.Set(plot, new GridCell(row, col, rows, cols, 1, 1));
        }
        return multi;
    }

    private static void Add(Plot plot, SurvivorHistogram h, long[] counts, Color color, float width, LinePattern pattern)
    {
        double total = counts.Sum();
        if (total == 0) return;
        double bin = (h.High - h.Low) / counts.Length;
        var xs = new List<double>();
        var ys = new List<double>();
        for (int b = 0; b < counts.Length; b++)
        {
            xs.Add(h.Low + b * bin); ys.Add(counts[b] / total);
            xs.Add(h.Low + (b + 1) * bin); ys.Add(counts[b] / total);
        }
        var line = plot.Add.Scatter(xs.ToArray(), ys.ToArray());
        line.Color = color;
        line.LineWidth = width;
        line.MarkerSize = 0;
        line.LinePattern = pattern;
    }
}
