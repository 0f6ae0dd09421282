using Lth.Init;
using TorchSharp;
using static Lth.Tests.Init.Sampling;
using static TorchSharp.torch;

namespace Lth.Tests.Init;

/// <summary>The statistical checks can fail: they reject distributions that are wrong.</summary>
public class WrongDistributionTests
{
    private static double XavierStd => Math.Sqrt(2.0 / (784 + 300));

    [Fact]
    public void TorchSharp_xavier_normal_is_rejected_as_a_normal()
    {
        // TorchSharp 0.107's nn.init.xavier_normal_ draws a uniform distribution (see docs/torchsharp.md).
        using var t = torch.empty(Linear);
        using (torch.no_grad()) torch.nn.init.xavier_normal_(t);
        double[] x = Values(t);
        var (_, std) = MeanStd(x);
        Assert.Equal(XavierStd, std, XavierStd * 0.01);   // right std, wrong shape
        var (d, p) = KolmogorovSmirnov.Test(x, v => NormalMath.Cdf(v / XavierStd));
        Assert.True(p < 0.001, $"KS D={d:G4} p={p:G3} should reject TorchSharp's xavier_normal_ as normal");
    }

    [Fact]
    public void Our_xavier_normal_passes_where_TorchSharps_fails()
    {
        using var t = Draw(Initializers.Parse("xavier-normal"), Linear, 3);
        var (d, p) = KolmogorovSmirnov.Test(Values(t), v => NormalMath.Cdf(v / XavierStd));
        Assert.True(p > 0.001, $"KS D={d:G4} p={p:G3}");
    }

    [Theory]
    [InlineData("linear")]
    [InlineData("conv")]
    public void Uniform_samples_are_rejected_against_a_normal_of_the_same_std(string shapeName)
    {
        var scheme = Initializers.Parse("xavier-uniform");
        long[] shape = ShapeNamed(shapeName);
        double sigma = scheme.Describe(shape).Std;
        using var t = Draw(scheme, shape, 5);
        var (d, p) = KolmogorovSmirnov.Test(Values(t), v => NormalMath.Cdf(v / sigma));
        Assert.True(p < 0.001, $"KS D={d:G4} p={p:G3} should reject");
    }

    [Fact]
    public void A_normal_with_a_5_percent_wrong_std_is_rejected()
    {
        var scheme = Initializers.Parse("kaiming-normal");
        double sigma = scheme.Describe(Linear).Std;
        using var t = Draw(scheme, Linear, 7);
        var (d, p) = KolmogorovSmirnov.Test(Values(t), v => NormalMath.Cdf(v / (1.05 * sigma)));
        Assert.True(p < 0.001, $"KS D={d:G4} p={p:G3} should reject");
    }

    [Fact]
    public void Truncated_samples_are_rejected_against_the_untruncated_normal()
    {
        var scheme = Initializers.Parse("trunc-normal");
        var dist = scheme.Describe(Linear);
        using var t = Draw(scheme, Linear, 9);
        var (d, p) = KolmogorovSmirnov.Test(Values(t), v => NormalMath.Cdf(v / dist.ParentStd!.Value));
        Assert.True(p < 0.001, $"KS D={d:G4} p={p:G3} should reject");
    }

    [Fact]
    public void Mean_and_std_checks_reject_a_wrong_gain()
    {
        var d = Initializers.Parse("xavier-normal").Describe(Linear);
        using var t = Draw(Initializers.Parse("xavier-normal:gain=1.02"), Linear, 11);
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => SchemeDistributionTests.AssertMatches(d, Values(t), "gain 1.02"));
    }
}
