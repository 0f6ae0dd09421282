using Lth.Init;
using TorchSharp;
using static TorchSharp.torch;

namespace Lth.Tests.Init;

/// <summary>Shapes, draws and theoretical CDFs shared by the init tests.</summary>
public static class Sampling
{
    /// <summary>LeNet-300-100's first Linear weight [out, in].</summary>
    public static readonly long[] Linear = [300, 784];

    /// <summary>A Conv2d weight [out, in, kh, kw].</summary>
    public static readonly long[] Conv = [64, 32, 3, 3];

    public static long[] ShapeNamed(string name) => name switch
    {
        "linear" => Linear,
        "conv" => Conv,
        _ => throw new ArgumentException(name),
    };

    public static ScalarType DtypeNamed(string name) => name == "f64" ? ScalarType.Float64 : ScalarType.Float32;

    /// <summary>A fresh tensor of <paramref name="shape"/> filled by <paramref name="scheme"/> from a generator seeded with <paramref name="seed"/>.</summary>
    public static Tensor Draw(IInitializer scheme, long[] shape, ulong seed, ScalarType dtype = ScalarType.Float32)
    {
        var t = torch.empty(shape, dtype: dtype);
        using var g = new Generator(seed);
        scheme.Apply(t, g);
        return t;
    }

    /// <summary>The entries of <paramref name="t"/> as doubles.</summary>
    public static double[] Values(Tensor t)
    {
        using var d = t.detach().cpu().to_type(ScalarType.Float64).contiguous();
        return d.data<double>().ToArray();
    }

    /// <summary>Same shape and every element equal (TorchSharp's <c>Tensor.equal</c> is element-wise, not a bool).</summary>
    public static bool Identical(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape)) return false;
        using var eq = a.eq(b);
        using var all = eq.all();
        return all.item<bool>();
    }

    public static (double Mean, double Std) MeanStd(double[] x)
    {
        double mean = x.Average();
        double ss = 0;
        foreach (double v in x) ss += (v - mean) * (v - mean);
        return (mean, Math.Sqrt(ss / x.Length));
    }

    /// <summary>The theoretical CDF of a continuous <see cref="Distribution"/> (orthogonal: its normal approximation).</summary>
    public static Func<double, double> Cdf(Distribution d) => d.Kind switch
    {
        "normal" or "orthogonal" => x => NormalMath.Cdf((x - d.Mean) / d.Std),
        "uniform" => x => Math.Clamp((x - d.Low!.Value) / (d.High!.Value - d.Low.Value), 0.0, 1.0),
        "truncated-normal" => TruncatedCdf(d),
        _ => throw new ArgumentException($"no continuous CDF for {d.Kind}"),
    };

    private static Func<double, double> TruncatedCdf(Distribution d)
    {
        double mu = d.ParentMean!.Value, sigma = d.ParentStd!.Value;
        double fa = NormalMath.Cdf((d.Low!.Value - mu) / sigma), fb = NormalMath.Cdf((d.High!.Value - mu) / sigma);
        return x => Math.Clamp((NormalMath.Cdf((x - mu) / sigma) - fa) / (fb - fa), 0.0, 1.0);
    }
}
