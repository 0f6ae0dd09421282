namespace Lth.Reports;

/// <summary>
/// The special functions the report's tests need, in double precision: log-gamma (Lanczos, g = 7, 9 terms,
/// relative error ≈ 1e-15), the regularized incomplete beta function I_x(a, b) (Numerical Recipes' <c>betai</c>
/// with its continued fraction <c>betacf</c>, evaluated by the modified Lentz method), the regularized incomplete
/// gamma functions P(a, x) and Q(a, x) (series below a + 1, continued fraction above), erfc and the standard
/// normal CDF (erfc(x) = Q(½, x²), so the far tails keep their relative precision).
/// </summary>
public static class SpecialFunctions
{
    private const double Eps = 1e-16;
    private const double FpMin = 1e-300;
    private const int MaxIterations = 1000;

    private static readonly double[] Lanczos =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];

    /// <summary>ln Γ(x) for x &gt; 0 (reflection below ½).</summary>
    public static double LogGamma(double x)
    {
        if (double.IsNaN(x) || x <= 0) throw new ArgumentOutOfRangeException(nameof(x), x, "LogGamma needs x > 0");
        if (x < 0.5) return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        x -= 1;
        double a = Lanczos[0];
        double t = x + 7.5;
        for (int i = 1; i < 9; i++) a += Lanczos[i] / (x + i);
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(a);
    }

    /// <summary>The regularized incomplete beta function I_x(a, b), a, b &gt; 0, 0 ≤ x ≤ 1.</summary>
    public static double RegularizedBeta(double a, double b, double x)
    {
        if (!(a > 0) || !(b > 0)) throw new ArgumentOutOfRangeException(nameof(a), $"RegularizedBeta needs a, b > 0 (got {a}, {b})");
        if (double.IsNaN(x) || x < 0 || x > 1) throw new ArgumentOutOfRangeException(nameof(x), x, "RegularizedBeta needs 0 <= x <= 1");
        if (x == 0) return 0;
        if (x == 1) return 1;
        double lnFront = LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * Math.Log(x) + b * Math.Log(1 - x);
        double front = Math.Exp(lnFront);
        // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry I_x(a,b) = 1 − I_{1−x}(b,a) otherwise.
        if (x < (a + 1) / (a + b + 2)) return front * BetaContinuedFraction(a, b, x) / a;
        return 1 - front * BetaContinuedFraction(b, a, 1 - x) / b;
    }

    /// <summary>Numerical Recipes' <c>betacf</c>: the continued fraction of I_x(a, b), modified Lentz.</summary>
    private static double BetaContinuedFraction(double a, double b, double x)
    {
        double qab = a + b, qap = a + 1, qam = a - 1;
        double c = 1, d = 1 - qab * x / qap;
        if (Math.Abs(d) < FpMin) d = FpMin;
        d = 1 / d;
        double h = d;
        for (int m = 1; m <= MaxIterations; m++)
        {
            int m2 = 2 * m;
            double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + aa * d; if (Math.Abs(d) < FpMin) d = FpMin;
            c = 1 + aa / c; if (Math.Abs(c) < FpMin) c = FpMin;
            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + aa * d; if (Math.Abs(d) < FpMin) d = FpMin;
            c = 1 + aa / c; if (Math.Abs(c) < FpMin) c = FpMin;
            d = 1 / d;
            double del = d * c;
            h *= del;
            if (Math.Abs(del - 1) < Eps) return h;
        }
        return h;   // converged to the precision reachable; a and b this large do not occur here
    }

    /// <summary>The regularized lower incomplete gamma function P(a, x) = γ(a, x)/Γ(a).</summary>
    public static double RegularizedGammaP(double a, double x)
    {
        if (!(a > 0) || double.IsNaN(x) || x < 0) throw new ArgumentOutOfRangeException(nameof(x), $"RegularizedGammaP needs a > 0, x >= 0 (got {a}, {x})");
        if (x == 0) return 0;
        if (double.IsPositiveInfinity(x)) return 1;
        return x < a + 1 ? GammaSeries(a, x) : 1 - GammaContinuedFraction(a, x);
    }

    /// <summary>The regularized upper incomplete gamma function Q(a, x) = 1 − P(a, x), accurate in the far tail.</summary>
    public static double RegularizedGammaQ(double a, double x)
    {
        if (!(a > 0) || double.IsNaN(x) || x < 0) throw new ArgumentOutOfRangeException(nameof(x), $"RegularizedGammaQ needs a > 0, x >= 0 (got {a}, {x})");
        if (x == 0) return 1;
        if (double.IsPositiveInfinity(x)) return 0;
        return x < a + 1 ? 1 - GammaSeries(a, x) : GammaContinuedFraction(a, x);
    }

    private static double GammaSeries(double a, double x)
    {
        double ap = a, sum = 1 / a, del = sum;
        for (int n = 1; n <= MaxIterations; n++)
        {
            ap += 1;
            del *= x / ap;
            sum += del;
            if (Math.Abs(del) < Math.Abs(sum) * Eps) break;
        }
        return sum * Math.Exp(-x + a * Math.Log(x) - LogGamma(a));
    }

    private static double GammaContinuedFraction(double a, double x)
    {
        double b = x + 1 - a, c = 1 / FpMin, d = 1 / b, h = d;
        for (int i = 1; i <= MaxIterations; i++)
        {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b; if (Math.Abs(d) < FpMin) d = FpMin;
            c = b + an / c; if (Math.Abs(c) < FpMin) c = FpMin;
            d = 1 / d;
            double del = d * c;
            h *= del;
            if (Math.Abs(del - 1) < Eps) break;
        }
        return Math.Exp(-x + a * Math.Log(x) - LogGamma(a)) * h;
    }

    /// <summary>The complementary error function.</summary>
    public static double Erfc(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        return x >= 0 ? RegularizedGammaQ(0.5, x * x) : 1 + RegularizedGammaP(0.5, x * x);
    }

    /// <summary>The error function.</summary>
    public static double Erf(double x) => x >= 0 ? RegularizedGammaP(0.5, x * x) : -RegularizedGammaP(0.5, x * x);

    /// <summary>Φ(z), the standard normal CDF.</summary>
    public static double NormalCdf(double z) => 0.5 * Erfc(-z / Math.Sqrt(2));

    /// <summary>1 − Φ(z), the standard normal upper tail (accurate for large z).</summary>
    public static double NormalSf(double z) => 0.5 * Erfc(z / Math.Sqrt(2));
}
