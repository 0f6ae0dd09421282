using Lth.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Lth.Tests.Training;

public class FlatOptimizerTests
{
    private static (float[] Ours, float[] Torch) Compare(Func<long, IFlatOptimizer> ours, Func<IEnumerable<TorchSharp.Modules.Parameter>, optim.Optimizer> theirs, int steps = 50)
    {
        using var g = new Generator(11);
        var start = empty(1000).normal_(0, 1, g);
        var grads = Enumerable.Range(0, steps).Select(_ => empty(1000).normal_(0, 1, g)).ToArray();

        var p = start.clone();
        using var opt = ours(1000);
        foreach (var gr in grads) opt.Step(p, gr.clone());

        var param = new TorchSharp.Modules.Parameter(start.clone());
        var reference = theirs([param]);
        foreach (var gr in grads)
        {
            reference.zero_grad();
            param.grad = gr.clone();
            reference.step();
        }
        return (p.data<float>().ToArray(), param.data<float>().ToArray());
    }

    [Fact]
    public void FlatAdamMatchesTorchAdam()
    {
        var (ours, torchs) = Compare(n => new FlatAdam(n, 1e-2, 0.9, 0.999, 1e-8, 1e-4),
                                     ps => optim.Adam(ps, lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 1e-4));
        for (int i = 0; i < ours.Length; i++) Assert.Equal(torchs[i], ours[i], 1e-5f);
    }

    [Fact]
    public void FlatSgdMatchesTorchSgdWithMomentum()
    {
        var (ours, torchs) = Compare(n => new FlatSgd(n, 0.05, 0.9, 1e-3),
                                     ps => optim.SGD(ps, 0.05, momentum: 0.9, weight_decay: 1e-3));
        for (int i = 0; i < ours.Length; i++) Assert.Equal(torchs[i], ours[i], 1e-5f);
    }
}
