using System.Globalization;
using Lth.Init;
using ScottPlot;

namespace Lth.Reports;

/// <summary>
/// Histograms of one layer's initial weights under several schemes, stacked one row per scheme on a shared
/// x axis (a ridgeline plot), so narrower and wider schemes are told apart at a glance. Each row is titled
/// with the scheme, its theoretical σ and the drawn sample's σ, and carries ticks at ±σ. Written with
/// ScottPlot 5 (SkiaSharp) as PNG or SVG, chosen by the file's extension.
/// </summary>
public static class InitHistogramPlot
{
    /// <summary>Bins per histogram (over each sample's own range, so narrow draws keep their shape).</summary>
    public const int Bins = 80;

    private const double RowHeight = 0.7;   // of the 1.0 between baselines; the rest holds the row's title

    /// <summary>
    /// Writes the plot to <paramref name="path"/> (<c>.png</c> or <c>.svg</c>, case-insensitive; the folder
    /// must exist). Every sample must carry <see cref="InitSample.Values"/>.
    /// </summary>
    /// <param name="path">Output file; its extension picks the format.</param>
    /// <param name="samples">One draw per scheme, all of the same layer; drawn top to bottom in this order.</param>
    /// <param name="title">Plot title; defaults to the layer, its shape and fans.</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="height">Image height in pixels; defaults to 120 + 80 per row.</param>
    /// <exception cref="ArgumentException">No samples, a sample without values, or an extension other than .png/.svg.</exception>
    public static void Write(string path, IReadOnlyList<InitSample> samples, string? title = null, int width = 1000, int? height = null)
    {
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext is not (".png" or ".svg"))
            throw new HparamsException($"plot file '{path}' must end in .png or .svg");
        var plot = Build(samples, title);
        int h = height ?? 120 + 80 * samples.Count;
        if (ext == ".png") plot.SavePng(path, width, h);
        else plot.SaveSvg(path, width, h);
    }

    /// <summary>Builds the ScottPlot figure without writing it (see <see cref="Write"/>).</summary>
    public static Plot Build(IReadOnlyList<InitSample> samples, string? title = null)
    {
        if (samples.Count == 0) throw new ArgumentException("no samples to plot");
        foreach (var s in samples)
            if (s.Values is null || s.Values.Length == 0)
                throw new ArgumentException($"sample '{s.Scheme}' has no values to plot (draw it with keepValues: true)");

        double lo = samples.Min(s => s.Min), hi = samples.Max(s => s.Max);
        if (!(hi > lo)) { double pad = Math.Max(Math.Abs(lo) * 0.1, 1e-3); lo -= pad; hi += pad; }
        double margin = 0.03 * (hi - lo);

        var plot = new Plot();
        string font = PlotFonts.Ensure();
        var palette = new ScottPlot.Palettes.Category10();
        int n = samples.Count;
        for (int i = 0; i < n; i++)
        {
            var s = samples[i];
            double baseline = n - 1 - i;
            var color = palette.GetColor(i);
            AddHistogram(plot, s.Values!, s.Min, s.Max, baseline, color);

            // ±σ ticks (theoretical), so widths compare by eye even where the histograms are spikes.
            double sigma = s.Theory.Std, mu = s.Theory.Mean;
            foreach (double x in sigma > 0 ? new[] { mu - sigma, mu + sigma } : new[] { mu })
            {
                var tick = plot.Add.Line(x, baseline - 0.06, x, baseline + 0.22);
                tick.LineColor = Colors.Black;
                tick.LineWidth = 2;
            }

            var label = plot.Add.Text(RowTitle(s), lo - margin, baseline + RowHeight + 0.04);
            label.LabelFontName = font;
            label.LabelFontSize = 13;
            label.LabelFontColor = color.Darken(0.3);
            label.LabelBold = true;
            label.LabelAlignment = Alignment.LowerLeft;
            label.LabelBackgroundColor = Colors.Transparent;
            label.LabelBorderWidth = 0;
        }

        plot.Axes.SetLimits(lo - margin, hi + margin, -0.15, n + 0.1);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual();
        plot.Axes.Left.MajorTickStyle.Length = 0;
        plot.Axes.Left.MinorTickStyle.Length = 0;
        plot.Grid.YAxisStyle.IsVisible = false;
        var first = samples[0];
        plot.Title(title ?? $"{first.Layer} [{string.Join(" × ", first.Shape)}] (fan_in {first.Fans.FanIn}, fan_out {first.Fans.FanOut}): initial weights");
        plot.XLabel("weight value (shared axis; black ticks at mean ± theoretical σ)");
        PlotFonts.Apply(plot);
        return plot;
    }

    /// <summary>The title of one row: scheme, theoretical σ, and the drawn sample's σ.</summary>
    public static string RowTitle(InitSample s) =>
        $"{s.Scheme}   σ = {Num(s.Theory.Std)}   (drawn σ = {Num(s.Std)}, {s.Theory.Kind})";

    private static void AddHistogram(Plot plot, float[] values, double min, double max, double baseline, Color color)
    {
        if (!(max > min))
        {
            // A constant draw: one spike.
            var spike = plot.Add.Line(min, baseline, min, baseline + RowHeight);
            spike.LineColor = color;
            spike.LineWidth = 3;
            return;
        }
        var counts = new long[Bins];
        double width = (max - min) / Bins;
        foreach (float v in values)
        {
            int b = (int)((v - min) / width);
            counts[Math.Clamp(b, 0, Bins - 1)]++;
        }
        double top = counts.Max();
        var xs = new List<double>(2 * Bins + 2);
        var ys = new List<double>(2 * Bins + 2);
        xs.Add(min); ys.Add(baseline);
        for (int b = 0; b < Bins; b++)
        {
            double h = baseline + RowHeight * counts[b] / top;
            xs.Add(min + b * width); ys.Add(h);
            xs.Add(min + (b + 1) * width); ys.Add(h);
        }
        xs.Add(max); ys.Add(baseline);
        var poly = plot.Add.Polygon(xs.ToArray(), ys.ToArray());
        poly.FillColor = color.WithAlpha(0.35);
        poly.LineColor = color;
        poly.LineWidth = 1.5f;
    }

    private static string Num(double x) => Math.Abs(x) >= 1e-3 || x == 0
        ? x.ToString("0.0000", CultureInfo.InvariantCulture)
        : x.ToString("0.###e0", CultureInfo.InvariantCulture);
}
