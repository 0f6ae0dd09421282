using System.Reflection;
using Lth.Models;
using Lth.Training;
using static TorchSharp.torch;

namespace Lth.Tests.Models;

/// <summary>
/// The pointer kernels' guards: FusedAdam refuses buffers of other lengths (always); the opt-in LTH_CHECKED=1 check of
/// SparseLinear passes a sound index and catches a broken one or a short tensor before the kernel would address it.
/// </summary>
public class KernelCheckTests
{
    [Fact]
    public void SparseLinearsCheckPassesASoundIndexAndCatchesABrokenOne()
    {
        using var scope = NewDisposeScope();
        var gen = new Generator(3);
        var mask = rand([2, 5, 300], generator: gen).lt(0.3).to(ScalarType.Float32);   // three column blocks
        var sparse = new SparseLinear(mask);
        var w = randn(2, 5, 300); var x = zeros(300, 16); var y = zeros(2, 5, 16);
        sparse.CheckKernel("Forward", w, x, y, 16);                                         // sound: no throw
        Assert.Throws<KernelCheckException>(() => sparse.CheckKernel("Forward", w, zeros(299, 16), y, 16));   // input too short

        var cols = (int[][])typeof(SparseLinear).GetField("cols", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(sparse)!;
        int saved = cols[1][0];
        cols[1][0] = 300;                                                                   // past the last input
        var e = Assert.Throws<KernelCheckException>(() => sparse.CheckKernel("Forward", w, x, y, 16));
        Assert.Contains("member 1", e.Message);
        Assert.Contains("LTH_CHECKED", e.Message);
        cols[1][0] = saved;
        sparse.CheckKernel("Forward", w, x, y, 16);
    }

    [Fact]
    public void FusedAdamRefusesBuffersOfAnotherLength()
    {
        using var scope = NewDisposeScope();
        using var adam = new FusedAdam(128, 1e-3, 0.9, 0.999, 1e-8, 0);
        Assert.Throws<ArgumentException>(() => adam.Step(zeros(128), zeros(64)));                  // gradient too short
        Assert.Throws<ArgumentException>(() => adam.Step(zeros(192), zeros(192)));                 // longer than the moments
        Assert.Throws<ArgumentException>(() => adam.StepMasked(zeros(128), zeros(128), ones(64))); // mask too short
        adam.StepMasked(zeros(128), zeros(128), ones(128));
        Assert.Equal(1, adam.StepCount);
    }
}
