using System.Reflection;
using ScottPlot;
using SkiaSharp;

namespace Lth.Reports;

/// <summary>
/// The font every plot of the library uses: DejaVu Sans (regular and bold), subset to Latin-1, Greek, arrows
/// and the common math signs and embedded in Lth.dll (Reports/Fonts, with its licence). SkiaSharp's
/// dependency-free Linux build finds no font on a machine without any installed, and then draws no text at all;
/// with the embedded font, plots render the same on every machine and need no font package.
/// </summary>
public static class PlotFonts
{
    /// <summary>The family name plots ask for (resolved only by this class).</summary>
    public const string Family = "Lth DejaVu Sans";

    private static readonly Lazy<(SKTypeface Regular, SKTypeface Bold)> Typefaces = new(() =>
    {
        var regular = Load("DejaVuSans.ttf");
        var bold = Load("DejaVuSans-Bold.ttf");
        ScottPlot.Fonts.FontResolvers.Insert(0, new Resolver(regular, bold));
        return (regular, bold);
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Registers the embedded font with ScottPlot (once per process) and returns its family name.</summary>
    public static string Ensure()
    {
        _ = Typefaces.Value;
        return Family;
    }

    /// <summary>
    /// Sets the title, axis labels and tick labels of <paramref name="plot"/> to the embedded family (text
    /// plottables set <c>LabelFontName</c> themselves). Unlike <c>plot.Font.Set</c> this changes no process-wide
    /// default and disposes no cached typeface.
    /// </summary>
    public static void Apply(Plot plot)
    {
        string family = Ensure();
        plot.Axes.Title.Label.FontName = family;
        foreach (var axis in plot.Axes.GetAxes())
        {
            axis.Label.FontName = family;
            axis.TickLabelStyle.FontName = family;
        }
    }

    private static SKTypeface Load(string file)
    {
        string name = "Lth.Reports.Fonts." + file;
        using var stream = typeof(PlotFonts).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded font {name} is missing from {typeof(PlotFonts).Assembly.GetName().Name}");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        using var data = SKData.CreateCopy(copy.ToArray());
        return SKTypeface.FromData(data) ?? throw new InvalidOperationException($"embedded font {name} is not a font SkiaSharp can read");
    }

    private sealed class Resolver(SKTypeface regular, SKTypeface bold) : IFontResolver
    {
        public SKTypeface? CreateTypeface(string fontName, bool isBold, bool isItalic) =>
            fontName == Family ? (isBold ? bold : regular) : null;

        public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing spacing) =>
            CreateTypeface(fontName, weight >= FontWeight.SemiBold, slant != FontSlant.Upright);
    }
}
