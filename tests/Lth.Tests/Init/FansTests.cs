using Lth.Init;
using TorchSharp;

namespace Lth.Tests.Init;

/// <summary>Fans as torch.nn.init._calculate_fan_in_and_fan_out computes them.</summary>
public class FansTests
{
    [Theory]
    [InlineData(new long[] { 300, 784 }, 784, 300)]            // Linear(784, 300)
    [InlineData(new long[] { 10, 100 }, 100, 10)]              // Linear(100, 10)
    [InlineData(new long[] { 64, 32, 3, 3 }, 288, 576)]        // Conv2d(32, 64, 3)
    [InlineData(new long[] { 64, 3, 5, 3 }, 45, 960)]          // Conv2d(3, 64, (5, 3))
    [InlineData(new long[] { 16, 8, 5 }, 40, 80)]              // Conv1d(8, 16, 5)
    [InlineData(new long[] { 4, 2, 3, 3, 3 }, 54, 108)]        // Conv3d(2, 4, 3)
    public void Fans_of_linear_and_conv_shapes(long[] shape, long fanIn, long fanOut)
    {
        Assert.Equal(new Fans(fanIn, fanOut), Fans.Of(shape));
        using var t = torch.empty(shape);
        Assert.Equal(new Fans(fanIn, fanOut), Fans.Of(t));
    }

    [Fact]
    public void Fans_need_two_dimensions() =>
        Assert.Throws<ArgumentException>(() => Fans.Of(new long[] { 300 }));

    [Fact]
    public void Describe_by_shape_uses_the_fans_of_the_shape()
    {
        var scheme = Initializers.Parse("xavier-normal");
        Assert.Equal(scheme.Describe(new Fans(288, 576)), scheme.Describe(new long[] { 64, 32, 3, 3 }));
    }
}
