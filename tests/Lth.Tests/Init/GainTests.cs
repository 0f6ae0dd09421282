using Lth.Init;

namespace Lth.Tests.Init;

/// <summary>The formulas: calculate_gain, and how mode, nonlinearity, a and gain change σ and the bound.</summary>
public class GainTests
{
    private static readonly Fans F = new(784, 300);

    [Theory]
    [InlineData(Nonlinearity.Linear, 0, 1.0)]
    [InlineData(Nonlinearity.Sigmoid, 0, 1.0)]
    [InlineData(Nonlinearity.Tanh, 0, 5.0 / 3.0)]
    [InlineData(Nonlinearity.Relu, 0, 1.4142135623730951)]
    [InlineData(Nonlinearity.LeakyRelu, 0, 1.4142135623730951)]
    [InlineData(Nonlinearity.LeakyRelu, 0.2, 1.3867504905630728)]   // √(2/1.04)
    [InlineData(Nonlinearity.Selu, 0, 0.75)]
    public void Calculate_gain_matches_pytorch(Nonlinearity nl, double a, double expected) =>
        Assert.Equal(expected, Gains.Calculate(nl, a), 14);

    private static double Std(string spec) => Initializers.Parse(spec).Describe(F).Std;
    private static double High(string spec) => Initializers.Parse(spec).Describe(F).High!.Value;

    [Fact]
    public void Formulas_for_fan_in_784_and_fan_out_300()
    {
        Assert.Equal(Math.Sqrt(6.0 / 1084), High("xavier-uniform"), 15);
        Assert.Equal(Math.Sqrt(2.0 / 1084), Std("xavier-normal"), 15);
        Assert.Equal(2 * Math.Sqrt(2.0 / 1084), Std("xavier-normal-double"), 15);
        Assert.Equal(0.5 * Math.Sqrt(6.0 / 1084), High("xavier-uniform-half"), 15);
        Assert.Equal(Math.Sqrt(2.0 / 784), Std("kaiming-normal"), 15);
        Assert.Equal(Math.Sqrt(6.0 / 784), High("kaiming-uniform"), 15);
        Assert.Equal(Math.Sqrt(2.0 / 300), Std("kaiming-normal:mode=fan_out"), 15);
        Assert.Equal(5.0 / 3.0 / Math.Sqrt(784), Std("kaiming-normal:nonlinearity=tanh"), 15);
        Assert.Equal(0.75 / Math.Sqrt(784), Std("kaiming-normal:nonlinearity=selu"), 15);
        Assert.Equal(Math.Sqrt(2 / 1.04) / 28, Std("kaiming-normal:nonlinearity=leaky_relu,a=0.2"), 15);
        Assert.Equal(3 * Math.Sqrt(2.0 / 784), Std("kaiming-normal:gain=3"), 15);       // gain multiplies
        Assert.Equal(1.0 / 28, Std("lecun-normal"), 15);
        Assert.Equal(Math.Sqrt(3.0) / 28, High("lecun-uniform"), 15);
        Assert.Equal(1.0 / 28, High("torch-default"), 15);
        Assert.Equal(Math.Sqrt(2.0 / 784), Std("signed-constant"), 15);
        Assert.Equal(1.0, High("uniform"), 15);
        Assert.Equal(1.0 / Math.Sqrt(12), Std("uniform"), 15);
        Assert.Equal(1.0, Std("normal"), 15);
        Assert.Equal(0.6, Initializers.Parse("constant:value=0.3,gain=2").Describe(F).Mean, 15);
    }

    [Fact]
    public void Torch_default_is_kaiming_uniform_with_a_sqrt5()
    {
        var kaiming = new KaimingInitializer(true, FanMode.FanIn, Nonlinearity.LeakyRelu, Math.Sqrt(5));
        Assert.Equal(kaiming.Describe(F).High!.Value, High("torch-default"), 15);
    }

    [Fact]
    public void Gain_on_uniform_scales_around_the_centre_and_on_normal_around_the_mean()
    {
        var u = Initializers.Parse("uniform:gain=2").Describe(F);
        Assert.Equal((-0.5, 1.5, 0.5), (u.Low!.Value, u.High!.Value, u.Mean));
        var n = Initializers.Parse("normal:mean=1,std=0.1,gain=3").Describe(F);
        Assert.Equal(1.0, n.Mean, 15);
        Assert.Equal(0.3, n.Std, 15);
    }
}
