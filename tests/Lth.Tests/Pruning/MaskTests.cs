using Lth.Models;
using Lth.Pruning;
using static TorchSharp.torch;

namespace Lth.Tests.Pruning;

public class MaskTests
{
    [Fact]
    public void ApplyLeavesPositiveZeroAtPrunedPositionsAndSurvivorsUntouched()
    {
        var layout = new ParameterLayout(2, [("fc1.weight", new long[] { 4, 8 }, LayerKind.Hidden, true, "fc1.weight")]);
        using var mask = Mask.Dense(layout);
        using var gen = new Generator(3);
        using var keep = rand(layout.TotalSize, generator: gen).lt(0.5f).to(ScalarType.Float32);
        mask.Flat.mul_(keep);
        using var w = empty(layout.TotalSize).normal_(0, 1, gen);
        using var before = w.clone();
        mask.Apply(w);
        var bits = w.bytes.ToArray();
        var old = before.bytes.ToArray();
        var m = mask.Flat.data<float>().ToArray();
        for (int i = 0; i < m.Length; i++)
        {
            var stored = bits.AsSpan(4 * i, 4).ToArray();
            if (m[i] == 0) Assert.Equal(new byte[4], stored);              // +0: all bits clear (a product with 0 leaves −0 for negatives)
            else Assert.Equal(old.AsSpan(4 * i, 4).ToArray(), stored);
        }
    }
}
