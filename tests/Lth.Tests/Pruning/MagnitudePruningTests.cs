using Lth.Experiments;
using Lth.Models;
using Lth.Pruning;
using static TorchSharp.torch;

namespace Lth.Tests.Pruning;

public class MagnitudePruningTests
{
    private static IModel Model(int members = 1)
    {
        var m = ModelRegistry.Create(new ModelHparams { Name = "lenet:20,10" }, [1, 3, 3], 4, members);
        using var g = new Generator(3);
        using (no_grad()) m.Flat.normal_(0, 1, g);
        return m;
    }

    private static Mask Magnitude(IModel model, Mask current, PruningHparams hp)
    {
        using var rng = new Generator(0);
        return new MagnitudePruning().Prune(new PruningContext(model, current, hp, Level: 1, Member: 0, rng));
    }

    [Fact]
    public void PrunesTheSmallestMagnitudesOfTheRemainingWeightsPerLayer()
    {
        using var model = Model();
        using var dense = Mask.Dense(model.Layout);
        var hp = new PruningHparams { Rate = 0.2, RateOutput = 0.1 };
        using var m1 = Magnitude(model, dense, hp);
        var fc1 = model.Layout["fc1.weight"];
        Assert.Equal(180 - 36, m1.Alive(fc1, 0));                       // ceil(0.2·180)
        Assert.Equal(40 - 4, m1.Alive(model.Layout["fc3.weight"], 0));   // ceil(0.1·40)
        Assert.Equal(20, m1.Alive(model.Layout["fc1.bias"], 0));         // biases kept
        // Every pruned weight is no larger than every surviving one.
        var w = model.View(model.Flat, fc1, 0).abs().flatten().data<float>().ToArray();
        var keep = m1.View(fc1, 0).flatten().data<float>().ToArray();
        float maxPruned = w.Where((_, i) => keep[i] == 0).Max(), minKept = w.Where((_, i) => keep[i] == 1).Min();
        Assert.True(maxPruned <= minKept);

        using var m2 = Magnitude(model, m1, hp);       // of the remaining 144: ceil(28.8) = 29
        Assert.Equal(144 - 29, m2.Alive(fc1, 0));
        // Pruned stays pruned.
        var k2 = m2.View(fc1, 0).flatten().data<float>().ToArray();
        for (int i = 0; i < k2.Length; i++) if (keep[i] == 0) Assert.Equal(0f, k2[i]);
    }

    [Fact]
    public void GlobalPruningUsesOneThresholdAcrossHiddenLayers()
    {
        using var model = Model();
        using var dense = Mask.Dense(model.Layout);
        using var m = Magnitude(model, dense, new PruningHparams { Scope = PruneScope.Global, Rate = 0.5, RateOutput = 0.1 });
        var fc1 = model.Layout["fc1.weight"]; var fc2 = model.Layout["fc2.weight"];
        Assert.Equal((180 + 200) / 2, m.Alive(fc1, 0) + m.Alive(fc2, 0));
    }

    [Fact]
    public void CohortMembersArePrunedIndependently()
    {
        using var model = Model(members: 3);
        using var dense = Mask.Dense(model.Layout);
        using var m = Magnitude(model, dense, new PruningHparams { Rate = 0.2 });
        var fc1 = model.Layout["fc1.weight"];
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(144, m.Alive(fc1, k));
            using var solo = ModelRegistry.Create(new ModelHparams { Name = "lenet:20,10" }, [1, 3, 3], 4);
            using (no_grad()) foreach (var p in solo.Layout.Parameters) solo.View(solo.Flat, p, 0).copy_(model.View(model.Flat, model.Layout[p.Name], k));
            using var soloDense = Mask.Dense(solo.Layout);
            using var soloMask = Magnitude(solo, soloDense, new PruningHparams { Rate = 0.2 });
            Assert.True(soloMask.View(solo.Layout["fc1.weight"], 0).eq(m.View(fc1, k)).all().item<bool>());
        }
    }
}
