using Lth.Init;
using TorchSharp;
using static Lth.Tests.Init.Sampling;
using static TorchSharp.torch;

namespace Lth.Tests.Init;

public class OrthogonalTests
{
    [Theory]
    [InlineData(new long[] { 300, 784 }, 1.0)]   // wide: W Wᵀ = I
    [InlineData(new long[] { 784, 300 }, 1.0)]   // tall: Wᵀ W = I
    [InlineData(new long[] { 100, 100 }, 1.0)]
    [InlineData(new long[] { 64, 32, 3, 3 }, 1.0)]  // conv flattened to 64 × 288
    [InlineData(new long[] { 300, 784 }, 2.0)]
    [InlineData(new long[] { 64, 32, 3, 3 }, 0.5)]
    public void Gram_matrix_is_gain_squared_identity(long[] shape, double gain)
    {
        var scheme = Initializers.Parse(gain == 1 ? "orthogonal" : $"orthogonal:gain={gain}");
        using var t = Draw(scheme, shape, 123, ScalarType.Float64);
        long rows = shape[0], cols = t.numel() / rows;
        using var w = t.reshape(rows, cols);
        using var gram = rows <= cols ? w.matmul(w.t()) : w.t().matmul(w);
        long k = Math.Min(rows, cols);
        using var expected = torch.eye(k, dtype: ScalarType.Float64) * (gain * gain);
        double err = (gram - expected).abs().max().item<double>();
        Assert.True(err < 1e-10, $"max |Gram − gain²I| = {err:G3}");
    }

    [Fact]
    public void Float32_gram_is_identity_to_float_precision()
    {
        using var t = Draw(Initializers.Parse("orthogonal"), Linear, 5);
        using var gram = t.matmul(t.t());
        double err = (gram - torch.eye(300)).abs().max().item<float>();
        Assert.True(err < 1e-5, $"max |W Wᵀ − I| = {err:G3}");
    }

    [Fact]
    public void Signs_are_corrected_so_the_result_is_not_biased()
    {
        // Without the sign(diag R) correction Householder QR gives Q's diagonal a fixed sign pattern.
        int positive = 0;
        for (ulong seed = 1; seed <= 40; seed++)
        {
            using var t = Draw(Initializers.Parse("orthogonal"), [20, 20], seed, ScalarType.Float64);
            if (t[0, 0].item<double>() > 0) positive++;
        }
        Assert.InRange(positive, 8, 32);
    }

    [Fact]
    public void Rejects_one_dimensional_tensors()
    {
        using var t = torch.empty(10);
        using var g = new Generator(1);
        IInitializer scheme = Initializers.Parse("orthogonal");
        Assert.Throws<ArgumentException>(() => scheme.Apply(t, new Fans(10, 10), g));
    }
}
