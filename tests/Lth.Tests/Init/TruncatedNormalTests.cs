using Lth.Init;
using static Lth.Tests.Init.Sampling;

namespace Lth.Tests.Init;

public class TruncatedNormalTests
{
    [Theory]
    [InlineData("linear")]
    [InlineData("conv")]
    public void Default_is_he_std_truncated_at_two_sigma(string shapeName)
    {
        long[] shape = ShapeNamed(shapeName);
        var fans = Fans.Of(shape);
        var scheme = Initializers.Parse("trunc-normal");
        var d = scheme.Describe(shape);
        double sigma = Math.Sqrt(2.0 / fans.FanIn);
        Assert.Equal("truncated-normal", d.Kind);
        Assert.Equal(sigma, d.ParentStd!.Value, 12);
        Assert.Equal(-2 * sigma, d.Low!.Value, 12);
        Assert.Equal(2 * sigma, d.High!.Value, 12);
        Assert.Equal(0.8796256610342398 * sigma, d.Std, 12);   // the truncated std, not σ

        using var t = Draw(scheme, shape, 42);
        double[] x = Values(t);
        Assert.All(x, v => Assert.InRange(v, -2 * sigma * (1 + 1e-6), 2 * sigma * (1 + 1e-6)));
        var (_, std) = MeanStd(x);
        Assert.Equal(0.8796256610342398 * sigma, std, 0.01 * sigma);
        Assert.NotEqual(sigma, std, 0.05 * sigma);
    }

    [Fact]
    public void Asymmetric_bounds_shift_the_mean_as_the_formula_says()
    {
        var scheme = Initializers.Parse("trunc-normal:mean=1,std=0.5,a=-0.5,b=3");
        var d = scheme.Describe(Linear);
        Assert.Equal(0.75, d.Low!.Value, 12);
        Assert.Equal(2.5, d.High!.Value, 12);
        Assert.True(d.Mean > 1.2, $"mean {d.Mean}");   // one-sided truncation moves the mean up
        using var t = Draw(scheme, Linear, 1);
        SchemeDistributionTests.AssertMatches(d, Values(t), "asymmetric trunc-normal");
    }

    [Fact]
    public void Gain_scales_std_and_bounds_but_not_the_mean()
    {
        var a = Initializers.Parse("trunc-normal:mean=0.3,std=0.1").Describe(Linear);
        var b = Initializers.Parse("trunc-normal:mean=0.3,std=0.1,gain=2").Describe(Linear);
        Assert.Equal(0.3, b.Mean, 12);
        Assert.Equal(2 * a.Std, b.Std, 12);
        Assert.Equal(0.3 - 0.4, b.Low!.Value, 12);
        Assert.Equal(0.3 + 0.4, b.High!.Value, 12);
    }
}
