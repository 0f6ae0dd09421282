using Lth.Init;

namespace Lth.Tests.Init;

/// <summary>The test helpers themselves: erf/Φ against reference values, KS p-values against known quantiles.</summary>
public class KolmogorovSmirnovTests
{
    // Reference values from Python's math.erf/erfc (correctly rounded to ~1 ulp).
    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.1, 0.1124629160182849)]
    [InlineData(0.5, 0.5204998778130465)]
    [InlineData(1.0, 0.8427007929497149)]
    [InlineData(1.5, 0.9661051464753108)]
    [InlineData(2.0, 0.9953222650189527)]
    [InlineData(2.4999, 0.9995928300996666)]
    [InlineData(2.5, 0.9995930479825550)]
    [InlineData(3.0, 0.9999779095030014)]
    [InlineData(-1.0, -0.8427007929497149)]
    [InlineData(4.5, 0.9999999998033839)]
    public void Erf_matches_reference_values(double x, double expected) =>
        Assert.True(Math.Abs(NormalMath.Erf(x) - expected) < 1e-14, $"erf({x}) = {NormalMath.Erf(x):R}");

    [Theory]
    [InlineData(2.5, 4.069520174449590e-4)]
    [InlineData(3.0, 2.209049699858544e-5)]
    [InlineData(5.0, 1.537459794428035e-12)]
    [InlineData(-2.0, 1.995322265018953)]
    public void Erfc_has_small_relative_error(double x, double expected) =>
        Assert.True(Math.Abs(NormalMath.Erfc(x) / expected - 1) < 1e-13, $"erfc({x}) = {NormalMath.Erfc(x):R}");

    [Theory]
    [InlineData(-2.0, 0.02275013194817922)]
    [InlineData(0.0, 0.5)]
    [InlineData(1.0, 0.8413447460685429)]
    [InlineData(1.959963984540054, 0.975)]
    public void Normal_cdf_matches_reference_values(double x, double expected) =>
        Assert.True(Math.Abs(NormalMath.Cdf(x) - expected) < 1e-14, $"Φ({x}) = {NormalMath.Cdf(x):R}");

    [Fact]
    public void Truncated_moments_of_a_standard_normal_at_2_sigma()
    {
        // Var = 1 − 2·2·φ(2)/(Φ(2)−Φ(−2)) = 0.7737413…; std 0.8796256…
        var (mean, std) = NormalMath.TruncatedMoments(0, 1, -2, 2);
        Assert.Equal(0.0, mean, 15);
        Assert.Equal(0.8796256610342398, std, 12);
        var (m2, s2) = NormalMath.TruncatedMoments(3, 2, -2, 2);
        Assert.Equal(3.0, m2, 14);
        Assert.Equal(2 * 0.8796256610342398, s2, 12);
    }

    [Theory]
    [InlineData(1.2238, 0.10)]
    [InlineData(1.3581, 0.05)]
    [InlineData(1.6276, 0.01)]
    [InlineData(1.9495, 0.001)]
    public void Asymptotic_p_values_match_the_Kolmogorov_distribution(double lambda, double p)
    {
        int n = 1_000_000;
        double d = lambda / (Math.Sqrt(n) + 0.12 + 0.11 / Math.Sqrt(n));
        Assert.Equal(p, KolmogorovSmirnov.PValue(d, n), p * 0.01);
    }

    [Fact]
    public void Exact_uniform_grid_passes_and_a_shifted_one_fails()
    {
        int n = 10_000;
        var grid = Enumerable.Range(0, n).Select(i => (i + 0.5) / n).ToArray();
        Assert.True(KolmogorovSmirnov.Test(grid, x => x).P > 0.999);
        Assert.True(KolmogorovSmirnov.Test(grid.Select(x => x * 0.97), x => x).P < 0.001);
    }
}
