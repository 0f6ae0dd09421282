namespace Lth.Init;

/// <summary>
/// The error function and the standard normal pdf/cdf in double precision (absolute error below 1e-15),
/// and the moments of a truncated normal. .NET has no <c>Math.Erf</c>.
/// </summary>
public static class NormalMath
{
    private static readonly double TwoOverSqrtPi = 2.0 / Math.Sqrt(Math.PI);

    /// <summary>erf(x).</summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        double ax = Math.Abs(x);
        double r = ax < 2.5 ? ErfSeries(ax) : 1.0 - ErfcContinuedFraction(ax);
        return x < 0 ? -r : r;
    }

    /// <summary>erfc(x) = 1 − erf(x), accurate in relative terms in the right tail.</summary>
    public static double Erfc(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        if (x >= 2.5) return ErfcContinuedFraction(x);
        if (x <= -2.5) return 2.0 - ErfcContinuedFraction(-x);
        return 1.0 - Erf(x);
    }

    /// <summary>Standard normal density φ(x).</summary>
    public static double Pdf(double x) => Math.Exp(-0.5 * x * x) / Math.Sqrt(2.0 * Math.PI);

    /// <summary>Standard normal distribution function Φ(x) = erfc(−x/√2)/2.</summary>
    public static double Cdf(double x) => 0.5 * Erfc(-x / Math.Sqrt(2.0));

    /// <summary>
    /// Mean and standard deviation of N(<paramref name="mean"/>, <paramref name="std"/>²) truncated to
    /// [mean + a·std, mean + b·std] (a, b in units of std).
    /// </summary>
    public static (double Mean, double Std) TruncatedMoments(double mean, double std, double a, double b)
    {
        double z = Cdf(b) - Cdf(a);
        double pa = double.IsInfinity(a) ? 0 : Pdf(a), pb = double.IsInfinity(b) ? 0 : Pdf(b);
        double apa = double.IsInfinity(a) ? 0 : a * pa, bpb = double.IsInfinity(b) ? 0 : b * pb;
        double shift = (pa - pb) / z;
        double variance = 1.0 + (apa - bpb) / z - shift * shift;
        return (mean + std * shift, std * Math.Sqrt(variance));
    }

    // erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)): all terms positive, no cancellation.
    private static double ErfSeries(double x)
    {
        double x2 = x * x, term = x, sum = x;
        for (int n = 1; n < 500; n++)
        {
            term *= 2.0 * x2 / (2 * n + 1);
            sum += term;
            if (term < 1e-17 * sum) break;
        }
        return TwoOverSqrtPi * Math.Exp(-x2) * sum;
    }

    // erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + (2/2)/(x + (3/2)/(x + …)))), evaluated bottom-up; x ≥ 2.5.
    private static double ErfcContinuedFraction(double x)
    {
        if (double.IsPositiveInfinity(x)) return 0.0;
        double f = x;
        for (int k = 120; k >= 1; k--) f = x + 0.5 * k / f;
        return Math.Exp(-x * x) / Math.Sqrt(Math.PI) / f;
    }
}
