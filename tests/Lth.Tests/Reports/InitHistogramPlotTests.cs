using System.Text;
using Lth.Init;
using Lth.Reports;

namespace Lth.Tests.Reports;

public class InitHistogramPlotTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static List<InitSample> Samples(params string[] specs) =>
        specs.Select(s => InitSample.Draw(s, Initializers.Parse(s), "fc1.weight", [300, 784], seed: 1, keepValues: true)).ToList();

    [Fact]
    public void DrawRecordsTheoryAndSampleStatistics()
    {
        var s = Samples("xavier-normal", "constant:value=0.25").ToArray();
        Assert.Equal(300 * 784, s[0].Values!.Length);
        Assert.Equal(new Fans(784, 300), s[0].Fans);
        Assert.Equal(Math.Sqrt(2.0 / 1084), s[0].Theory.Std, 12);
        Assert.InRange(s[0].Std / s[0].Theory.Std, 0.98, 1.02);
        Assert.Equal(0.25, s[1].Min, 6);
        Assert.Equal(0.25, s[1].Max, 6);
        Assert.Equal(0.0, s[1].Std);
        // The same seed gives the same draw.
        Assert.Equal(s[0].Values, Samples("xavier-normal")[0].Values);
    }

    [Fact]
    public void WritesAPng()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir, "inits.png");
        InitHistogramPlot.Write(path, Samples("xavier-normal-half", "xavier-normal", "xavier-normal-double", "signed-constant", "constant"));
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(PngSignature, bytes[..8]);
        Assert.True(bytes.Length > 5 * 1024, $"{bytes.Length} bytes");
    }

    [Fact]
    public void WritesAnSvgWithTheRowTitles()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir, "inits.SVG");
        var samples = Samples("kaiming-uniform", "orthogonal");
        InitHistogramPlot.Write(path, samples);
        string svg = File.ReadAllText(path, Encoding.UTF8);
        Assert.Contains("<svg", svg);
        Assert.Contains("</svg>", svg);
        Assert.Contains("kaiming-uniform", svg);
        Assert.Contains("orthogonal", svg);
        Assert.Contains("σ = 0.0505", InitHistogramPlot.RowTitle(samples[0]));
    }

    [Fact]
    public void RejectsOtherFormatsAndSamplesWithoutValues()
    {
        using var dir = new TempDir();
        Assert.Throws<HparamsException>(() => InitHistogramPlot.Write(Path.Combine(dir, "x.jpg"), Samples("xavier-normal")));
        var bare = InitSample.Draw("xavier-normal", Initializers.Parse("xavier-normal"), "w", [10, 10], 1);
        Assert.Null(bare.Values);
        Assert.Throws<ArgumentException>(() => InitHistogramPlot.Write(Path.Combine(dir, "x.png"), [bare]));
        Assert.Throws<ArgumentException>(() => InitHistogramPlot.Write(Path.Combine(dir, "x.png"), []));
        Assert.False(File.Exists(Path.Combine(dir, "x.png")));
    }
}
