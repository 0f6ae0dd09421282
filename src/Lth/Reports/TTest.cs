namespace Lth.Reports;

/// <summary>A mean difference with its two-sided 95% confidence interval.</summary>
public sealed record DifferenceCi(double Difference, double Low, double High);

/// <summary>
/// Student's t tests.
/// <list type="bullet">
/// <item>One-sample: t = (x̄ − μ0)/(s/√n), df = n − 1.</item>
/// <item>Paired: the one-sample test on the differences dᵢ = aᵢ − bᵢ (μ0 = 0).</item>
/// <item>Welch: t = (ā − b̄)/√(s_a²/n_a + s_b²/n_b), df by Welch–Satterthwaite
///   (s_a²/n_a + s_b²/n_b)² / ((s_a²/n_a)²/(n_a−1) + (s_b²/n_b)²/(n_b−1)).</item>
/// </list>
/// p-values come from <see cref="StudentT.Cdf"/> (regularized incomplete beta). When the standard error is 0,
/// t is 0 (equal means, p = 1) or ±∞ (p = 0 in the observed direction).
/// </summary>
public static class TTest
{
    public static TestResult OneSample(IReadOnlyList<double> xs, double mu0 = 0, Alternative alt = Alternative.TwoSided, string name = "one-sample t")
    {
        int n = xs.Count;
        if (n < 2) return TestResult.NotRun(name, alt, $"needs n >= 2 (n = {n})");
        double mean = xs.Average();
        double sd = Std(xs, mean);
        double t = Ratio(mean - mu0, sd / Math.Sqrt(n));
        return new TestResult(name, t, n - 1, PValue(t, n - 1, alt), alt, "t distribution");
    }

    public static TestResult Paired(IReadOnlyList<double> a, IReadOnlyList<double> b, Alternative alt = Alternative.TwoSided)
    {
        if (a.Count != b.Count) throw new ArgumentException($"paired t test needs equal lengths ({a.Count} vs {b.Count})");
        return OneSample(a.Zip(b, (x, y) => x - y).ToList(), 0, alt, "paired t");
    }

    public static TestResult Welch(IReadOnlyList<double> a, IReadOnlyList<double> b, Alternative alt = Alternative.TwoSided)
    {
        const string name = "Welch t";
        if (a.Count < 2 || b.Count < 2) return TestResult.NotRun(name, alt, $"needs n >= 2 per group (n = {a.Count}, {b.Count})");
        var (va, vb) = (Var(a) / a.Count, Var(b) / b.Count);
        double se = Math.Sqrt(va + vb);
        double t = Ratio(a.Average() - b.Average(), se);
        double df = va + vb == 0 ? a.Count + b.Count - 2 : (va + vb) * (va + vb) / (va * va / (a.Count - 1) + vb * vb / (b.Count - 1));
        return new TestResult(name, t, df, PValue(t, df, alt), alt, "t distribution, Welch–Satterthwaite df");
    }

    /// <summary>Mean of aᵢ − bᵢ with the t-based 95% CI (df = n − 1).</summary>
    public static DifferenceCi PairedDifference(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        var d = a.Zip(b, (x, y) => x - y).ToList();
        double mean = d.Count == 0 ? double.NaN : d.Average();
        if (d.Count < 2) return new(mean, double.NaN, double.NaN);
        double half = StudentT.Quantile(0.975, d.Count - 1) * Std(d, mean) / Math.Sqrt(d.Count);
        return new(mean, mean - half, mean + half);
    }

    /// <summary>ā − b̄ with the Welch 95% CI (Welch–Satterthwaite df).</summary>
    public static DifferenceCi WelchDifference(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        double diff = (a.Count == 0 ? double.NaN : a.Average()) - (b.Count == 0 ? double.NaN : b.Average());
        if (a.Count < 2 || b.Count < 2) return new(diff, double.NaN, double.NaN);
        var (va, vb) = (Var(a) / a.Count, Var(b) / b.Count);
        if (va + vb == 0) return new(diff, diff, diff);
        double df = (va + vb) * (va + vb) / (va * va / (a.Count - 1) + vb * vb / (b.Count - 1));
        double half = StudentT.Quantile(0.975, df) * Math.Sqrt(va + vb);
        return new(diff, diff - half, diff + half);
    }

    internal static double PValue(double t, double df, Alternative alt)
    {
        if (double.IsNaN(t)) return double.NaN;
        return alt switch
        {
            Alternative.TwoSided => StudentT.TwoSidedP(t, df),
            Alternative.Less => StudentT.Cdf(t, df),
            _ => StudentT.Sf(t, df),
        };
    }

    private static double Ratio(double num, double se) =>
        se > 0 ? num / se : num == 0 ? 0 : num > 0 ? double.PositiveInfinity : double.NegativeInfinity;

    internal static double Var(IReadOnlyList<double> xs)
    {
        double m = xs.Average();
        return xs.Sum(x => (x - m) * (x - m)) / (xs.Count - 1);
    }

    private static double Std(IReadOnlyList<double> xs, double mean) => Math.Sqrt(xs.Sum(x => (x - mean) * (x - mean)) / (xs.Count - 1));
}
