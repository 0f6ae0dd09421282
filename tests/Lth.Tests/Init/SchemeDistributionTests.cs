using Lth.Init;
using TorchSharp;
using static Lth.Tests.Init.Sampling;

namespace Lth.Tests.Init;

/// <summary>Every scheme draws the distribution it describes: mean, std, bounds, tails and a KS test.</summary>
public class SchemeDistributionTests
{
    /// <summary>Specs with non-default parameters, checked in addition to every registered name.</summary>
    public static readonly string[] ExtraSpecs =
    [
        "kaiming-normal:mode=fan_out",
        "kaiming-uniform:a=0.2,nonlinearity=leaky_relu",
        "kaiming-normal:gain=0.5,nonlinearity=tanh",
        "kaiming-uniform:mode=fan_out,nonlinearity=selu",
        "kaiming-normal:nonlinearity=linear",
        "kaiming-normal:nonlinearity=sigmoid",
        "lecun-normal:gain=3",
        "orthogonal:gain=2",
        "trunc-normal:a=-1,b=3,mean=0.5,std=0.1",
        "trunc-normal:std=0.02",
        "trunc-normal:gain=0.5",
        "uniform:gain=0.5,high=1,low=-3",
        "normal:gain=2,mean=1,std=0.01",
        "constant:gain=2,value=0.3",
        "signed-constant:gain=0.5",
        "torch-default:gain=2",
    ];

    public static IEnumerable<string> AllSpecs => Initializers.Names.Concat(ExtraSpecs);

    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (string spec in AllSpecs)
        {
            data.Add(spec, "linear", "f32");
            data.Add(spec, "conv", "f32");
            data.Add(spec, "linear", "f64");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Samples_match_the_described_distribution(string spec, string shapeName, string dtypeName)
    {
        var scheme = Initializers.Parse(spec);
        long[] shape = ShapeNamed(shapeName);
        var d = scheme.Describe(shape);
        using var t = Draw(scheme, shape, seed: 20240917, DtypeNamed(dtypeName));
        double[] x = Values(t);
        int n = x.Length;
        AssertMatches(d, x, spec);
        Assert.Equal(n, shape.Aggregate(1L, (a, b) => a * b));
    }

    /// <summary>The checks shared by weight and bias tests.</summary>
    internal static void AssertMatches(Distribution d, double[] x, string label)
    {
        int n = x.Length;
        var (mean, std) = MeanStd(x);
        double sigma = d.Std;

        if (d.Kind == "constant")
        {
            float expected = (float)d.Mean;
            Assert.All(x, v => Assert.Equal(expected, (float)v));
            return;
        }

        // Mean within 5 standard errors; std within 5 standard errors of a sample std (kurtosis-aware).
        double kurtosis = d.Kind switch { "uniform" => 1.8, "signed-constant" => 1.0, _ => 3.0 };
        double meanTol = 5 * sigma / Math.Sqrt(n) + 1e-7 * Math.Max(1, Math.Abs(d.Mean));
        double stdTol = 5 * sigma * Math.Sqrt((kurtosis - 1) / (4.0 * n)) + 25 * sigma / n + 1e-6 * sigma;
        Assert.True(Math.Abs(mean - d.Mean) <= meanTol, $"{label}: mean {mean:G6} vs {d.Mean:G6} (tol {meanTol:G3})");
        Assert.True(Math.Abs(std - sigma) <= stdTol, $"{label}: std {std:G6} vs {sigma:G6} (tol {stdTol:G3})");

        // Bounds are respected (float rounding of the bound aside).
        if (d.Low is double lo && d.High is double hi)
        {
            double slack = 1e-6 * Math.Max(Math.Abs(lo), Math.Abs(hi));
            Assert.True(x.Min() >= lo - slack, $"{label}: min {x.Min():G8} below {lo:G8}");
            Assert.True(x.Max() <= hi + slack, $"{label}: max {x.Max():G8} above {hi:G8}");
        }

        switch (d.Kind)
        {
            case "uniform":
            {
                double halfWidth = 0.5 * (d.High!.Value - d.Low!.Value);
                Assert.True(x.Min() <= d.Low.Value + 0.01 * halfWidth, $"{label}: min {x.Min():G6} not within 1% of {d.Low:G6}");
                Assert.True(x.Max() >= d.High.Value - 0.01 * halfWidth, $"{label}: max {x.Max():G6} not within 1% of {d.High:G6}");
                break;
            }
            case "normal":
            {
                double outside = x.Count(v => Math.Abs(v - d.Mean) > 2 * sigma) / (double)n;
                Assert.True(Math.Abs(outside - 0.0455) <= 0.005, $"{label}: {outside:P3} outside 2σ, expected 4.55%");
                break;
            }
            case "signed-constant":
            {
                Assert.All(x, v => Assert.Equal(1.0, Math.Abs(v) / sigma, 1e-6));
                double positive = x.Count(v => v > 0) / (double)n;
                Assert.True(Math.Abs(positive - 0.5) <= 5 * 0.5 / Math.Sqrt(n), $"{label}: {positive:P3} positive");
                break;
            }
        }

        if (d.Kind is "normal" or "uniform" or "truncated-normal" or "orthogonal")
        {
            var (ks, p) = KolmogorovSmirnov.Test(x, Cdf(d));
            Assert.True(p > 0.001, $"{label}: KS D={ks:G4}, p={p:G3} rejects {d.Kind}");
        }
    }
}
