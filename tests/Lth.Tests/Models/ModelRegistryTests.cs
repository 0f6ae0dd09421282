using Lth.Experiments;
using Lth.Models;
using Lth.Pruning;
using static TorchSharp.torch;

namespace Lth.Tests.Models;

public class ModelRegistryTests
{
    private static long Weights(IModel m) => m.Layout.Parameters.Where(p => p.IsWeight).Sum(p => p.Numel);

    [Theory]
    [InlineData("lenet:300,100", 1, 28, 266_200)]     // Frankle & Carbin: 266K
    [InlineData("conv2", 3, 32, 4_300_992)]           // 4.3M
    [InlineData("conv4", 3, 32, 2_425_024)]           // 2.4M
    [InlineData("conv6", 3, 32, 2_261_184)]           // the paper's table says 1.7M; its stated layers give 2.26M
    [InlineData("resnet20", 3, 32, 270_896)]          // ≈ 270K
    public void WeightCountsMatchThePapers(string spec, int channels, int size, long weights)
    {
        using var m = ModelRegistry.Create(new ModelHparams { Name = spec }, [channels, size, size], 10);
        Assert.Equal(weights, Weights(m));
    }

    [Theory]
    [InlineData("lenet:300,100")]
    [InlineData("conv2")]
    [InlineData("conv4")]
    [InlineData("conv6")]
    [InlineData("resnet20:8")]
    public void ForwardGivesLogitsPerMemberForMnistAndCifarShapes(string spec)
    {
        foreach (var (c, s) in new[] { (1, 28), (3, 32) })
        {
            using var m = ModelRegistry.Create(new ModelHparams { Name = spec }, [c, s, s], 10, members: 2);
            using var x = randn(5, c, s, s);
            using var y = m.Forward(x);
            Assert.Equal(new long[] { 2, 5, 10 }, y.shape);
        }
    }

    [Fact]
    public void ConvCohortMembersComputeWhatTheirSoloModelComputes()
    {
        // Grouped convolution vs plain convolution: a different kernel, so equal to float rounding, not bitwise.
        var hp = new ModelHparams { Name = "conv2", Init = "kaiming-normal" };
        using var cohort = ModelRegistry.Create(hp, [1, 28, 28], 10, members: 3);
        for (int k = 0; k < 3; k++) ModelInitializer.Apply(cohort, k, hp, seed: 10 + k);
        using var x = randn(4, 1, 28, 28);
        using var all = cohort.Forward(x);
        for (int k = 0; k < 3; k++)
        {
            using var solo = ModelRegistry.Create(hp, [1, 28, 28], 10);
            ModelInitializer.Apply(solo, 0, hp, seed: 10 + k);
            using var one = solo.Forward(x);
            Assert.True(one[0].allclose(all[k], rtol: 1e-4, atol: 1e-5), $"member {k}");
        }
    }

    [Fact]
    public void ResNetBatchNormIsInitializedToOneZeroNeverPrunedAndUsesRunningStatsInEval()
    {
        var hp = new ModelHparams { Name = "resnet20:8", Init = "xavier-normal" };
        using var m = ModelRegistry.Create(hp, [3, 32, 32], 10);
        ModelInitializer.Apply(m, 0, hp, seed: 1);
        Assert.True(m.Parameter("bn.weight").eq(1f).all().item<bool>());
        Assert.True(m.Parameter("blocks.4.bn2.bias").eq(0f).all().item<bool>());
        Assert.Equal(0.0, PruningRates.For(m.Layout["bn.weight"], new PruningHparams { PruneBiases = true }));
        Assert.Equal(0.2, PruningRates.For(m.Layout["blocks.3.conv1.weight"], new PruningHparams { RateConv = 0.2 }));
        Assert.Contains(m.Buffers, b => b.Name == "blocks.3.shortcut.1.running_var");

        using var x = randn(8, 3, 32, 32) * 3 + 1;
        m.Training = true;
        using (no_grad()) m.Forward(x).Dispose();                 // updates running statistics
        Assert.False(m.Buffer("bn.running_mean").eq(0f).all().item<bool>());
        using var train = m.Forward(x);
        m.Training = false;
        using var eval = m.Forward(x);
        Assert.False(train.allclose(eval));
    }
}
