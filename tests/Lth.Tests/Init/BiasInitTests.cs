using Lth.Init;
using TorchSharp;
using static Lth.Tests.Init.Sampling;
using static TorchSharp.torch;

namespace Lth.Tests.Init;

public class BiasInitTests
{
    private static readonly Fans LinearFans = new(784, 300);

    [Fact]
    public void Zeros_are_zeros()
    {
        using var bias = torch.ones(300);
        using var g = new Generator(1);
        BiasInit.Parse("zeros").Apply(bias, LinearFans, Initializers.Parse("xavier-normal"), g);
        Assert.True(bias.eq(0).all().item<bool>());
    }

    [Theory]
    [InlineData(784L, 300L)]
    [InlineData(288L, 576L)]
    public void Torch_default_is_uniform_within_one_over_sqrt_fan_in(long fanIn, long fanOut)
    {
        var fans = new Fans(fanIn, fanOut);
        var bias = BiasInit.Parse("torch-default");
        var d = bias.Describe(fans, Initializers.Parse("xavier-normal"));
        double bound = 1 / Math.Sqrt(fanIn);
        Assert.Equal(bound, d.High!.Value, 15);
        using var b = torch.empty(100_000);       // a big "bias" so the statistics are sharp
        using var g = new Generator(2);
        bias.Apply(b, fans, Initializers.Parse("xavier-normal"), g);
        SchemeDistributionTests.AssertMatches(d, Values(b), "torch-default bias");
    }

    [Theory]
    [InlineData("xavier-normal")]
    [InlineData("kaiming-uniform:mode=fan_out")]
    [InlineData("trunc-normal")]
    [InlineData("signed-constant")]
    public void Same_is_the_weight_scheme_with_the_weight_fans(string spec)
    {
        var scheme = Initializers.Parse(spec);
        using var b1 = torch.empty(100_000);
        using var b2 = torch.empty(100_000);
        using (var g = new Generator(3)) BiasInit.Same.Apply(b1, LinearFans, scheme, g);
        using (var g = new Generator(3)) scheme.Apply(b2, LinearFans, g);
        Assert.True(Identical(b1, b2));
        var d = BiasInit.Same.Describe(LinearFans, scheme);
        Assert.Equal(scheme.Describe(LinearFans), d);
        SchemeDistributionTests.AssertMatches(d, Values(b1), $"same:{spec}");
    }

    [Fact]
    public void Same_with_orthogonal_on_a_vector_is_a_clear_error()
    {
        using var b = torch.empty(300);
        using var g = new Generator(3);
        var e = Assert.Throws<ArgumentException>(() => BiasInit.Same.Apply(b, LinearFans, Initializers.Parse("orthogonal"), g));
        Assert.Contains("orthogonal", e.Message);
    }

    [Fact]
    public void Bias_of_a_cohort_member_view_is_filled_in_place()
    {
        using var buffer = torch.full(4, 300, 5.0f);
        using var member = buffer[2];
        using (var g = new Generator(4)) BiasInit.TorchDefault.Apply(member, LinearFans, Initializers.Parse("xavier-normal"), g);
        Assert.True(buffer[0].eq(5.0f).all().item<bool>());
        Assert.False(buffer[2].eq(5.0f).any().item<bool>());
    }

    [Fact]
    public void Parse_round_trips_and_rejects_unknown_names()
    {
        foreach (string name in BiasInit.Names)
        {
            Assert.Equal(name, BiasInit.Parse(name).Spec);
            Assert.False(string.IsNullOrWhiteSpace(BiasInit.Descriptions[name]));
        }
        Assert.Same(BiasInit.TorchDefault, BiasInit.Parse(" Torch-Default "));
        var e = Assert.Throws<InitSpecException>(() => BiasInit.Parse("ones"));
        Assert.Contains("'ones'", e.Message);
        Assert.Contains("zeros, torch-default, same", e.Message);
    }
}
