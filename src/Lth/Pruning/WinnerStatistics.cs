using Lth.Init;
using Lth.Models;
using static TorchSharp.torch;

namespace Lth.Pruning;

/// <summary>Histogram of initial values in units of the scheme's σ, on [-4, 4] in 40 bins (values outside go to the end bins).</summary>
public sealed record ValueHistogram(double Low, double High, long[] Counts);

/// <summary>Where one layer's surviving weights sat in the initial distribution, and whether they kept their sign.</summary>
public sealed record LayerWinners(
    string Layer, double Sigma, long Survivors, long Pruned,
    double MeanAbsZSurvivors, double MeanAbsZPruned, double[] AbsZQuantilesSurvivors,
    double SignFlipFraction, ValueHistogram SurvivorsZ, ValueHistogram PrunedZ);

/// <summary>
/// Winner statistics of a level: for each weight tensor, the initial values of the surviving and of
/// the pruned weights relative to the scheme's σ (z = w₀/σ), and the fraction of survivors whose
/// trained sign differs from their initial sign — the mechanism behind "narrower vs wider" inits.
/// </summary>
public static class WinnerStatistics
{
    public static readonly double[] Quantiles = [0.1, 0.25, 0.5, 0.75, 0.9];

    public static List<LayerWinners> Compute(IModel initial, IModel trained, Mask mask, IInitializer scheme, int member = 0)
    {
        var list = new List<LayerWinners>();
        using var _ = no_grad();
        foreach (var p in initial.Layout.Parameters.Where(p => p.IsWeight))
        {
            using var scope = NewDisposeScope();
            var w0 = initial.View(initial.Flat, p, member).flatten().to(ScalarType.Float64).cpu();
            var w1 = trained.View(trained.Flat, p, member).flatten().to(ScalarType.Float64).cpu();
            var alive = (mask.View(p, member).flatten() > 0.5f).cpu();
            double sigma = scheme.Describe(p.Shape).Std;
            if (!(sigma > 0)) sigma = Math.Max(w0.abs().mean().item<double>(), 1e-12);
            var z = w0 / sigma;
            var zs = z.masked_select(alive);
            var zp = z.masked_select(alive.logical_not());
            long ns = zs.numel(), np = zp.numel();
            double[] q = ns == 0 ? Quantiles.Select(_ => double.NaN).ToArray()
                : Quantiles.Select(qq => zs.abs().quantile(qq).item<double>()).ToArray();
            double flips = ns == 0 ? double.NaN
                : (w0.masked_select(alive).sign() != w1.masked_select(alive).sign()).to(ScalarType.Float64).mean().item<double>();
            list.Add(new LayerWinners(p.Name, sigma, ns, np,
                ns == 0 ? double.NaN : zs.abs().mean().item<double>(),
                np == 0 ? double.NaN : zp.abs().mean().item<double>(),
                q, flips, Histogram(zs), Histogram(zp)));
        }
        return list;
    }

    private static ValueHistogram Histogram(Tensor z)
    {
        const double lo = -4, hi = 4;
        const int bins = 40;
        var counts = new long[bins];
        if (z.numel() > 0)
        {
            var idx = ((z.clamp(lo, hi - 1e-9) - lo) / (hi - lo) * bins).floor().to(ScalarType.Int64);
            var c = idx.bincount(null, bins).data<long>().ToArray();
            Array.Copy(c, counts, bins);
        }
        return new ValueHistogram(lo, hi, counts);
    }
}
