using Lth.Reports;

namespace Lth.Tests.Reports;

/// <summary>
/// The special functions and tests against known values: scipy's (quoted in the issue), closed forms (t with df 1
/// and 2, the binomial identity of I_x), exact enumerations by hand, and Python's math.erfc / Simpson integration of
/// the t density (independent of this code) for the rest.
/// </summary>
public class HypothesisTestsTests
{
    [Theory]
    [InlineData(2.0, 10, 0.0733880347707413)]
    [InlineData(3.5, 5, 0.017284431785293337)]
    [InlineData(-1.8973665961010275, 5.882352941176471, 0.10753119493062574)]   // non-integer df (Welch)
    public void TTwoSidedPValues(double t, double df, double p) => Assert.Equal(p, StudentT.TwoSidedP(t, df), 8);

    [Theory]
    [InlineData(0.3)]
    [InlineData(-2.5)]
    [InlineData(7.0)]
    public void TCdfClosedForms(double t)
    {
        Assert.Equal(0.5 + Math.Atan(t) / Math.PI, StudentT.Cdf(t, 1), 12);               // Cauchy
        Assert.Equal(0.5 + t / (2 * Math.Sqrt(2 + t * t)), StudentT.Cdf(t, 2), 12);       // df = 2
        Assert.Equal(1, StudentT.Cdf(t, 7) + StudentT.Cdf(-t, 7), 12);
    }

    [Fact]
    public void TQuantileInvertsTheCdfAndMatchesTheTable()
    {
        for (int df = 1; df <= 30; df++) Assert.Equal(StudentT.Quantile975(df), StudentT.Quantile(0.975, df), 6);
        Assert.Equal(0.9, StudentT.Cdf(StudentT.Quantile(0.9, 4.5), 4.5), 10);
        Assert.Equal(-StudentT.Quantile(0.95, 3), StudentT.Quantile(0.05, 3), 10);
    }

    [Fact]
    public void SpecialFunctionValues()
    {
        Assert.Equal(Math.Log(24), SpecialFunctions.LogGamma(5), 12);
        Assert.Equal(0.5 * Math.Log(Math.PI), SpecialFunctions.LogGamma(0.5), 12);
        Assert.Equal(0.6875, SpecialFunctions.RegularizedBeta(2, 3, 0.5), 12);           // Σ_{j≥2} C(4,j)/16 = 11/16
        Assert.Equal(0.37, SpecialFunctions.RegularizedBeta(1, 1, 0.37), 12);
        Assert.Equal(Math.Pow(0.8, 3.5), SpecialFunctions.RegularizedBeta(3.5, 1, 0.8), 12);
        Assert.Equal(0.4065390166824617, SpecialFunctions.RegularizedBeta(2.5, 4.5, 0.3), 9);
        Assert.Equal(0.9750021048517795, SpecialFunctions.NormalCdf(1.96), 13);
        Assert.Equal(0.0013498980316300957, SpecialFunctions.NormalCdf(-3), 15);
        Assert.Equal(6.220960574271819e-16, SpecialFunctions.NormalCdf(-8), 1e-25);   // far tail keeps relative precision
        Assert.Equal(0.5204998778130465, SpecialFunctions.Erf(0.5), 13);
    }

    [Fact]
    public void WelchPairedAndOneSample()
    {
        var w = TTest.Welch([1, 2, 3, 4, 5], [2, 4, 6, 8, 10]);
        Assert.Equal(-3 / Math.Sqrt(2.5), w.Statistic, 12);
        Assert.Equal(6.25 / 1.0625, w.Df, 12);
        Assert.Equal(0.10753119493062574, w.P, 8);
        Assert.Equal(w.P / 2, TTest.Welch([1, 2, 3, 4, 5], [2, 4, 6, 8, 10], Alternative.Less).P, 10);

        // d = [1, 2, 2]: mean 5/3, s = 1/√3, t = 5 with df 2; p = 1 − t/√(2 + t²).
        var p = TTest.Paired([1, 2, 3], [0, 0, 1]);
        Assert.Equal(5, p.Statistic, 10);
        Assert.Equal(2, p.Df);
        Assert.Equal(1 - 5 / Math.Sqrt(27), p.P, 10);
        var ci = TTest.PairedDifference([1, 2, 3], [0, 0, 1]);
        Assert.Equal(5.0 / 3, ci.Difference, 12);
        Assert.Equal(5.0 / 3 - 4.30265273 / 3, ci.Low, 6);   // t975(2)·s/√n = 4.30265273·(1/√3)/√3

        Assert.True(double.IsNaN(TTest.Welch([1], [2, 3]).P));
        Assert.Equal(1, TTest.Paired([1, 2], [1, 2]).P);            // identical: t = 0
        Assert.Equal(0, TTest.Paired([2, 3], [1, 2]).P);            // constant nonzero difference: t = ∞
    }

    [Fact]
    public void MannWhitneyExactAndNormal()
    {
        var sep = RankTests.MannWhitneyU([1, 2, 3], [4, 5, 6]);
        Assert.Equal("exact", sep.Method);
        Assert.Equal(0, sep.Statistic);
        Assert.Equal(0.1, sep.P, 12);                                  // 2 · 1/C(6,3)
        Assert.Equal(0.05, RankTests.MannWhitneyU([1, 2, 3], [4, 5, 6], Alternative.Less).P, 12);
        Assert.Equal(2.0 / 70, RankTests.MannWhitneyU([1, 2, 3, 4], [5, 6, 7, 8]).P, 12);
        var mixed = RankTests.MannWhitneyU([1, 3, 5], [2, 4, 6]);     // U = 3; P(U ≤ 3) = 7/20
        Assert.Equal(3, mixed.Statistic);
        Assert.Equal(0.7, mixed.P, 12);

        var ties = RankTests.MannWhitneyU([1, 2, 2, 3], [2, 3, 4, 5]);
        Assert.StartsWith("normal", ties.Method);
        Assert.Equal(2.5, ties.Statistic);
        Assert.Equal(0.13665824773814753, ties.P, 10);
    }

    [Fact]
    public void WilcoxonExactAndNormal()
    {
        var all = RankTests.WilcoxonSignedRank([2, 3, 4, 5, 6], [1, 1, 1, 1, 1]);
        Assert.Equal("exact", all.Method);
        Assert.Equal(15, all.Statistic);
        Assert.Equal(2.0 / 32, all.P, 12);
        Assert.Equal(1.0 / 32, RankTests.WilcoxonSignedRank([2, 3, 4, 5, 6], [1, 1, 1, 1, 1], Alternative.Greater).P, 12);
        var one = RankTests.WilcoxonSignedRank([1, -2, 3, 4, 5], [0, 0, 0, 0, 0]);   // W⁺ = 13; P(W⁺ ≥ 13) = 3/32
        Assert.Equal(13, one.Statistic);
        Assert.Equal(6.0 / 32, one.P, 12);

        var ties = RankTests.WilcoxonSignedRank([0, 1, -1, 2, 2, 3, 4], [0, 0, 0, 0, 0, 0, 0]);
        Assert.Contains("zero", ties.Method);
        Assert.Equal(19.5, ties.Statistic);
        Assert.Equal(0.05777957112359727, ties.P, 10);
    }

    [Fact]
    public void HolmAdjustsStepDown()
    {
        var adj = Holm.Adjust([0.01, 0.04, 0.03, 0.005]);
        Assert.Equal([0.03, 0.06, 0.06, 0.02], adj.Select(x => Math.Round(x, 12)).ToArray());
        var withNaN = Holm.Adjust([double.NaN, 0.02, 0.5]);
        Assert.True(double.IsNaN(withNaN[0]));
        Assert.Equal(0.04, withNaN[1], 12);
        Assert.Equal(0.5, withNaN[2], 12);
        Assert.Equal(1, Holm.Adjust([0.6, 0.7])[0]);
    }

    [Fact]
    public void BootstrapIsDeterministicAndSensible()
    {
        double[] xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        var a = Bootstrap.MeanCi(xs);
        Assert.Equal(a, Bootstrap.MeanCi(xs));
        Assert.InRange(a.Low, 3.4, 4.0);     // the normal-theory interval is 5.5 ± 1.96·0.91 = [3.7, 7.3]
        Assert.InRange(a.High, 7.0, 7.6);
        Assert.Equal((0.25, 0.25), Bootstrap.MeanCi([0.25, 0.25, 0.25]));
        Assert.True(double.IsNaN(Bootstrap.MeanCi([1.0]).Low));
        double[] odd = [0.113, 0.527, 0.931, 0.374, 0.786, 0.052, 0.669];
        Assert.NotEqual(Bootstrap.MeanCi(odd), Bootstrap.MeanCi(odd, seed: 1));   // the seed matters, and is fixed by default
    }
}
