namespace Lth.Reports;

/// <summary>
/// Percentile bootstrap confidence intervals of the mean: <see cref="DefaultResamples"/> resamples with
/// replacement, the CI is the 2.5% and 97.5% quantiles (linear interpolation, R type 7) of the resampled means.
/// The generator is SplitMix64 with a fixed seed, so the same data give the same interval on every machine and
/// .NET version (a report is reproducible bit for bit).
/// </summary>
public static class Bootstrap
{
    public const int DefaultResamples = 10_000;
    public const ulong DefaultSeed = 0x4C54485F52455054;   // "LTH_REPT"

    /// <summary>(low, high) of the 95% percentile interval; NaN for fewer than 2 values.</summary>
    public static (double Low, double High) MeanCi(IReadOnlyList<double> xs, int resamples = DefaultResamples, ulong seed = DefaultSeed, double level = 0.95)
    {
        int n = xs.Count;
        if (n < 2) return (double.NaN, double.NaN);
        if (resamples < 1) throw new ArgumentOutOfRangeException(nameof(resamples));
        var rng = new SplitMix64(seed);
        var means = new double[resamples];
        for (int r = 0; r < resamples; r++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++) sum += xs[rng.Below(n)];
            means[r] = sum / n;
        }
        Array.Sort(means);
        double alpha = (1 - level) / 2;
        return (Quantile(means, alpha), Quantile(means, 1 - alpha));
    }

    /// <summary>Quantile of sorted values by linear interpolation (R type 7, numpy's default).</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        if (sorted.Count == 0) return double.NaN;
        double h = (sorted.Count - 1) * q;
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /// <summary>SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and fixed forever.</summary>
    internal sealed class SplitMix64(ulong seed)
    {
        private ulong state = seed;

        public ulong Next()
        {
            ulong z = state += 0x9E3779B97F4A7C15;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
            return z ^ (z >> 31);
        }

        /// <summary>Uniform in [0, n) by Lemire's multiply-high (bias below 2⁻⁶⁰ for the n used here).</summary>
        public int Below(int n) => (int)(((UInt128)Next() * (ulong)n) >> 64);
    }
}
