using Lth.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Lth.Tests.Training;

public class FlatOptimizerTests
{
    private static (float[] Ours, float[] Torch) Compare(Func<long, IFlatOptimizer> ours, Func<IEnumerable<TorchSharp.Modules.Parameter>, optim.Optimizer> theirs, int steps = 50, int pad = 1000)
    {
        using var g = new Generator(11);
        var start = empty(1000).normal_(0, 1, g);
        var grads = Enumerable.Range(0, steps).Select(_ => empty(1000).normal_(0, 1, g)).ToArray();

        var p = zeros(pad);
        p.narrow(0, 0, 1000).copy_(start);
        using var opt = ours(pad);
        foreach (var gr in grads)
        {
            var gp = zeros(pad);
            gp.narrow(0, 0, 1000).copy_(gr);
            opt.Step(p, gp);
        }
        p = p.narrow(0, 0, 1000).contiguous();

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
    public void FusedAdamMatchesTorchAdam()
    {
        var (ours, torchs) = Compare(n => new FusedAdam(1024, 1e-2, 0.9, 0.999, 1e-8, 1e-4),
                                     ps => optim.Adam(ps, lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 1e-4), pad: 1024);
        for (int i = 0; i < torchs.Length; i++) Assert.Equal(torchs[i], ours[i], 1e-5f);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.01)]
    public void FusedAdamEqualsThePerOperationPathToFloatRounding(double wd)
    {
        // The whole-buffer libtorch path (FlatAdam) and the fused managed pass compute the same formula
        // with the same FMAs; all but a handful of elements are bitwise equal, and after 100 steps the
        // largest relative difference stays below 1e-5 (a rare last-bit difference propagates).
        using var g = new Generator(5);
        var start = empty(4096).normal_(0, 1, g);
        var grads = Enumerable.Range(0, 100).Select(_ => empty(4096).normal_(0, 1, g)).ToArray();
        var a = start.clone(); var b = start.clone();
        using var flat = new FlatAdam(4096, 1e-3, 0.9, 0.999, 1e-8, wd);
        using var fused = new FusedAdam(4096, 1e-3, 0.9, 0.999, 1e-8, wd);
        for (int s = 0; s < grads.Length; s++)
        {
            flat.Step(a, grads[s].clone());
            fused.Step(b, grads[s].clone());
        }
        var x = a.data<float>().ToArray(); var y = b.data<float>().ToArray();
        double worst = 0;
        for (int i = 0; i < x.Length; i++) worst = Math.Max(worst, Math.Abs(x[i] - y[i]) / Math.Max(1e-3, Math.Abs(x[i])));
        Assert.True(worst < 1e-5, $"max relative difference {worst}");
    }

    /// <summary>With an overwritten gradient (a model's own step), the survivors' pass clears only the survivors' gradient.</summary>
    [Fact]
    public void FusedAdamWithAnOverwrittenGradientClearsOnlyTheSurvivors()
    {
        using var gen = new Generator(4);
        const int n = 4096;
        var mask = (empty(n).uniform_(0, 1, gen) < 0.05f).to(ScalarType.Float32);
        using var adam = new FusedAdam(n, 1e-2, 0.9, 0.999, 1e-8, 0) { GradientOverwritten = true };
        adam.SkipPruned(mask);
        Assert.True(adam.SkipsPruned);
        var p = empty(n).normal_(0, 1, gen).mul_(mask);
        var g = empty(n).normal_(0, 1, gen);
        var before = g.clone();
        adam.StepMasked(p, g, mask);
        Assert.True(g.masked_select(mask.ne(0)).eq(0).all().item<bool>(), "survivors' gradient cleared");
        Assert.True(g.masked_select(mask.eq(0)).eq(before.masked_select(mask.eq(0))).all().item<bool>(), "the rest left as written");
    }

    [Theory]
    [InlineData(0.05, 0.0)]
    [InlineData(0.1, 1e-3)]
    public void FusedAdamSkippingPrunedPositionsGivesSurvivorsTheDenseBits(double density, double wd)
    {
        using var gen = new Generator(21);
        const int n = 8192;
        var mask = (empty(n).uniform_(0, 1, gen) < (float)density).to(ScalarType.Float32);
        var start = empty(n).normal_(0, 1, gen);
        start.masked_fill_(mask.eq(0), 0);                                  // +0 where pruned, as Mask.Apply leaves it
        var grads = Enumerable.Range(0, 30).Select(_ => empty(n).normal_(0, 1, gen)).ToArray();
        var results = new List<Tensor>();
        foreach (bool skip in new[] { false, true })
        {
            using var adam = new FusedAdam(n, 1e-2, 0.9, 0.999, 1e-8, wd);
            if (skip) adam.SkipPruned(mask);
            var p = start.clone(); var gr = zeros(n);
            foreach (var step in grads)
            {
                gr.add_(step);
                adam.StepMasked(p, gr, mask);
                Assert.Equal(0f, gr.abs().max().item<float>());   // the gradient is zeroed everywhere
            }
            results.Add(p);
        }
        // Bit for bit, pruned positions included (+0 in both passes, never −0).
        Assert.Equal(results[0].bytes.ToArray(), results[1].bytes.ToArray());
        Assert.True(results[1].masked_select(mask.eq(0)).eq(0).all().item<bool>(), "pruned positions stay zero");
    }

    [Fact]
    public void FusedAdamKeepsTheDensePassAboveTheSkipThreshold()
    {
        // At 50% density the dense vector pass is faster; SkipPruned must not switch (and results are equal either way).
        using var adam = new FusedAdam(128, 1e-2, 0.9, 0.999, 1e-8, 0);
        var mask = ones(128); mask.narrow(0, 0, 64).zero_();
        adam.SkipPruned(mask);
        Assert.False(adam.SkipsPruned);
        mask.narrow(0, 0, 120).zero_();
        adam.SkipPruned(mask);
        Assert.True(adam.SkipsPruned);
        adam.SkipPruned(null);
        Assert.False(adam.SkipsPruned);
    }

    [Fact]
    public void FusedAdamMasksAndZeroesTheGradientAndIsIndependentOfBufferLength()
    {
        using var g = new Generator(9);
        var p64 = empty(64).normal_(0, 1, g); var g64 = empty(64).normal_(0, 1, g);
        var mask = (empty(64).uniform_(0, 1, g) > 0.5f).to(ScalarType.Float32);
        // The same 64 elements inside a 4096-long buffer (as cohort member 3 of a larger cohort would be).
        var pBig = zeros(4096); var gBig = zeros(4096); var mBig = zeros(4096);
        pBig.narrow(0, 192, 64).copy_(p64); gBig.narrow(0, 192, 64).copy_(g64); mBig.narrow(0, 192, 64).copy_(mask);
        using var small = new FusedAdam(64, 1e-2, 0.9, 0.999, 1e-8, 1e-3);
        using var big = new FusedAdam(4096, 1e-2, 0.9, 0.999, 1e-8, 1e-3);
        for (int s = 0; s < 20; s++)
        {
            small.StepMasked(p64, g64, mask);
            big.StepMasked(pBig, gBig, mBig);
            Assert.Equal(0f, g64.abs().max().item<float>());
            var fresh = empty(64).normal_(0, 1, g);
            g64.copy_(fresh); gBig.narrow(0, 192, 64).copy_(fresh);
        }
        Assert.Equal(p64.data<float>().ToArray(), pBig.narrow(0, 192, 64).data<float>().ToArray());
        var pv = p64.data<float>().ToArray(); var mv = mask.data<float>().ToArray();
        for (int i = 0; i < 64; i++) if (mv[i] == 0) Assert.Equal(0f, pv[i]);
    }

    [Fact]
    public void FlatSgdMatchesTorchSgdWithMomentum()
    {
        var (ours, torchs) = Compare(n => new FlatSgd(n, 0.05, 0.9, 1e-3),
                                     ps => optim.SGD(ps, 0.05, momentum: 0.9, weight_decay: 1e-3));
        for (int i = 0; i < ours.Length; i++) Assert.Equal(torchs[i], ours[i], 1e-5f);
    }
}
