using Lth.Models;
using Lth.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Lth.Tests.Models;

public class SparseLinearTests
{
    /// <summary>Forward, weight gradient and input gradient over surviving weights equal the dense products (masked) to float rounding.</summary>
    [Theory]
    [InlineData(3, 300, 784, 60, 0.1, false)]   // LeNet's first layer at batch 60: the 4-vector fast path
    [InlineData(2, 32, 64, 30, 0.3, false)]     // batch not a multiple of 64
    [InlineData(2, 17, 50, 7, 0.5, true)]       // per-member inputs, one partial vector
    [InlineData(1, 20, 40, 1000, 0.05, false)]  // evaluation-sized batch: several chunks
    public void MatchesTheDenseProductsAtSurvivingWeights(int k, int outs, int ins, int batch, double density, bool perMember)
    {
        var gen = new Generator(11);
        using var scope = NewDisposeScope();
        var mask = rand([k, outs, ins], generator: gen).lt(density).to(ScalarType.Float32);
        mask[0, 1].zero_();                                                   // a row with no survivor
        var w = randn([k, outs, ins], generator: gen).mul(mask);
        var x = rand(perMember ? [k, batch, ins] : [batch, ins], generator: gen);
        var dy = randn([k, outs, batch], generator: gen);
        int bp = SparseLinear.Padded(batch);
        var xt = perMember ? zeros(k, ins, bp) : zeros(ins, bp);
        xt.narrow(-1, 0, batch).copy_(perMember ? x.transpose(1, 2) : x.t());
        var dyp = zeros(k, outs, bp);
        dyp.narrow(2, 0, batch).copy_(dy);

        var sparse = new SparseLinear(mask);
        var y = full([k, outs, bp], float.NaN);
        sparse.Forward(w, xt, y);
        var g = full([k, outs, ins], -7f);
        sparse.WeightGradient(dyp, xt, g);

        var dx = full([k, ins, bp], float.NaN);
        sparse.InputGradient(w, dyp, dx);

        var xk = perMember ? x : x.unsqueeze(0).expand(k, -1, -1);            // [K, B, in]
        var yRef = w.bmm(xk.transpose(1, 2));
        var gRef = dy.bmm(xk);
        Assert.Equal(mask.sum().item<float>() / mask.numel(), sparse.Density, 6);
        TensorAssert.Close(yRef, y.narrow(2, 0, batch), 1e-5, "forward");
        Assert.True(y.narrow(2, batch, bp - batch).eq(0).all().item<bool>(), "padded lanes stay zero");
        TensorAssert.Close(gRef.mul(mask), g.mul(mask), 1e-5, "gradient at survivors");
        TensorAssert.Close(w.transpose(1, 2).bmm(dy), dx.narrow(2, 0, batch), 1e-5, "input gradient");
        Assert.True(dx.narrow(2, batch, bp - batch).eq(0).all().item<bool>(), "padded lanes of the input gradient stay zero");
        Assert.True(g.masked_select(mask.eq(0)).eq(-7f).all().item<bool>(), "pruned positions are not written");
    }

    [Fact]
    public void AMemberGetsTheSameBitsAloneAndInACohort()
    {
        var gen = new Generator(5);
        using var scope = NewDisposeScope();
        var mask = rand([3, 300, 784], generator: gen).lt(0.2).to(ScalarType.Float32);
        var w = randn([3, 300, 784], generator: gen).mul(mask);
        var xt = zeros(784, 64);
        xt.narrow(1, 0, 60).copy_(rand([784, 60], generator: gen));
        var dy = zeros(3, 300, 64);
        dy.narrow(2, 0, 60).copy_(randn([3, 300, 60], generator: gen));
        var y = empty(3, 300, 64); var g = zeros(3, 300, 784);
        new SparseLinear(mask).Forward(w, xt, y);
        new SparseLinear(mask).WeightGradient(dy, xt, g);
        var dx = empty(3, 784, 64);
        new SparseLinear(mask).InputGradient(w, dy, dx);
        for (int k = 0; k < 3; k++)
        {
            var y1 = empty(1, 300, 64); var g1 = zeros(1, 300, 784);
            var solo = new SparseLinear(mask[k].unsqueeze(0));
            solo.Forward(w[k].unsqueeze(0).contiguous(), xt, y1);
            solo.WeightGradient(dy[k].unsqueeze(0).contiguous(), xt, g1);
            var dx1 = empty(1, 784, 64);
            solo.InputGradient(w[k].unsqueeze(0).contiguous(), dy[k].unsqueeze(0).contiguous(), dx1);
            Assert.True(dx1[0].eq(dx[k]).all().item<bool>(), $"member {k} input gradient");
            Assert.True(y1[0].eq(y[k]).all().item<bool>(), $"member {k} forward");
            Assert.True(g1[0].eq(g[k]).all().item<bool>(), $"member {k} gradient");
        }
    }

    [Fact]
    public void RejectsTensorsItCannotReadInPlaceOrWhoseShapesDoNotFit()
    {
        using var scope = NewDisposeScope();
        var sparse = new SparseLinear(ones(1, 4, 8));
        var x = zeros(8, 16); var y = zeros(1, 4, 16);
        Assert.Throws<ArgumentException>(() => sparse.Forward(ones(1, 8, 4).transpose(1, 2), x, y));   // not contiguous
        Assert.Throws<ArgumentException>(() => sparse.Forward(ones(1, 4, 8, dtype: ScalarType.Float64), x, y));
        Assert.Throws<ArgumentException>(() => sparse.Forward(ones(1, 4, 8), zeros(7, 16), y));               // wrong input width
        Assert.Throws<ArgumentException>(() => sparse.Forward(ones(1, 4, 8), zeros(8, 12), zeros(1, 4, 12)));  // batch not padded to 16
        Assert.Throws<ArgumentException>(() => sparse.WeightGradient(zeros(1, 4, 16), x, zeros(2, 4, 8)));     // wrong member count
        Assert.Throws<ArgumentException>(() => sparse.InputGradient(ones(1, 4, 8), zeros(1, 4, 16), zeros(1, 8, 32)));
    }
}
