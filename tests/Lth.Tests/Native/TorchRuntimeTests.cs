using Lth.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Lth.Tests.Native;

public class TorchRuntimeTests
{
    [Fact]
    public void TorchSharpLoadsAndAGradientStepRuns()
    {
        TorchRuntime.Initialize();
        Assert.StartsWith("2.10", torch.__version__);
        using var w = tensor(new float[] { 1f, -2f }).requires_grad_(true);
        using var loss = (w * w).sum();
        loss.backward();
        Assert.Equal(new[] { 2f, -4f }, w.grad!.data<float>().ToArray());
        using (no_grad()) w.sub_(w.grad * 0.25);
        Assert.Equal(new[] { 0.5f, -1f }, w.data<float>().ToArray());
    }

    [Fact]
    public void MallocTuningIsAppliedOnGlibc()
    {
        TorchRuntime.Initialize();
        Assert.True(TorchRuntime.MallocTuned);
    }
}
