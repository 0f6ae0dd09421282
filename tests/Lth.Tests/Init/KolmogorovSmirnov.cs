namespace Lth.Tests.Init;

/// <summary>One-sample Kolmogorov–Smirnov test against a continuous CDF, with the asymptotic p-value.</summary>
public static class KolmogorovSmirnov
{
    /// <summary>D = sup |F_n(x) − F(x)| over the sample, and its asymptotic p-value.</summary>
    public static (double D, double P) Test(IEnumerable<double> samples, Func<double, double> cdf)
    {
        double[] x = samples.ToArray();
        Array.Sort(x);
        int n = x.Length;
        double d = 0;
        for (int i = 0; i < n; i++)
        {
            double f = cdf(x[i]);
            d = Math.Max(d, Math.Max((i + 1.0) / n - f, f - (double)i / n));
        }
        return (d, PValue(d, n));
    }

    /// <summary>
    /// P(D_n ≥ d) ≈ Q_KS(λ), λ = (√n + 0.12 + 0.11/√n)·d (Stephens' correction),
    /// Q_KS(λ) = 2 Σ_{j≥1} (−1)^{j−1} e^{−2j²λ²}.
    /// </summary>
    public static double PValue(double d, int n)
    {
        double sn = Math.Sqrt(n);
        double lambda = (sn + 0.12 + 0.11 / sn) * d;
        if (lambda < 0.2) return 1.0;
        double sum = 0, sign = 1;
        for (int j = 1; j <= 100; j++)
        {
            double term = sign * Math.Exp(-2.0 * j * j * lambda * lambda);
            sum += term;
            if (Math.Abs(term) < 1e-16) break;
            sign = -sign;
        }
        return Math.Clamp(2 * sum, 0.0, 1.0);
    }
}
