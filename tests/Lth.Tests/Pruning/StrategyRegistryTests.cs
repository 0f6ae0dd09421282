using Lth.Experiments;
using Lth.Models;
using Lth.Pruning;
using static TorchSharp.torch;

namespace Lth.Tests.Pruning;

/// <summary>docs/architecture.md's recipe "Add a pruning strategy", exercised: a strategy registered from a test runs end to end.</summary>
[Collection(RegistryCollection.Name)]
public sealed class StrategyRegistryTests : IDisposable
{
    /// <summary>
    /// Keeps the weights with the LARGEST |w · mean input| on a batch drawn from the context (so it needs data),
    /// at the level's rates: a data-dependent score through the same ranking as magnitude pruning.
    /// </summary>
    private sealed class ToyStrategy : ScorePruning
    {
        public static int Batches;

        protected override Tensor Score(PruningContext context, ParameterInfo p, int member)
        {
            var (x, _) = context.Batches!(8);
            Interlocked.Increment(ref Batches);
            Assert.Equal(8, x.shape[0]);
            var w = context.Model.View(context.Model.Flat, p, member);
            return w.flatten().abs().neg().add(1e3f);   // anti-magnitude: the smallest weights survive
        }
    }

    public void Dispose() => PruningStrategies.Unregister("toy-anti-magnitude");

    public StrategyRegistryTests() =>
        PruningStrategies.Register(new("toy-anti-magnitude", "test: keeps the smallest weights", StrategyKind.Pruner,
            ["prune", "rate", "rate-output", "rate-conv", "rates", "prune-biases"], () => new ToyStrategy()));

    [Fact]
    public void ARegisteredStrategyRunsALevelEndToEnd()
    {
        using var data = TinyData.Create();
        using var dir = new TempDir();
        var store = new RunStore(dir);
        var hp = Lth.Tests.Experiments.LotteryRunnerTests.Tiny().With("strategy", "Toy-Anti-Magnitude");
        Assert.Equal("toy-anti-magnitude", hp.Pruning.Strategy);
        var summaries = new LotteryRunner(store, hp, data).Run(1, 1);
        Assert.Equal(2, summaries.Count);
        Assert.Equal(0.5, summaries[1].LayerDensity["fc1.weight"], 3);
        Assert.True(ToyStrategy.Batches > 0);

        // Level 1 kept exactly the smallest |w| of level 0's trained fc1 weights.
        using var model = ModelRegistry.Create(hp.Model, data.Train.ExampleShape, data.Train.NumClasses);
        WeightFiles.Load(model, Path.Combine(store.LevelDir(hp, 1, 0), RunStore.FinalFile));
        using var mask = WeightFiles.ReadMask(model.Layout, Path.Combine(store.LevelDir(hp, 1, 1), RunStore.MaskFile));
        var p = model.Layout["fc1.weight"];
        var w = model.View(model.Flat, p, 0).flatten().abs().data<float>().ToArray();
        var alive = mask.View(p, 0).flatten().data<float>().ToArray();
        float maxKept = w.Where((_, i) => alive[i] > 0).Max(), minPruned = w.Where((_, i) => alive[i] == 0).Min();
        Assert.True(maxKept <= minPruned, $"kept up to {maxKept}, pruned from {minPruned}");
        Assert.NotEqual(Hparams.Hash(Lth.Tests.Experiments.LotteryRunnerTests.Tiny()), Hparams.Hash(hp));
    }

    [Fact]
    public void RandomPruningHasMagnitudeCountsAndIsSeeded()
    {
        using var data = TinyData.Create();
        using var a = new TempDir();
        using var b = new TempDir();
        var hp = Lth.Tests.Experiments.LotteryRunnerTests.Tiny().With("strategy", "random");
        var sa = new LotteryRunner(new RunStore(a), hp, data).Run(1, 2);
        var sb = new LotteryRunner(new RunStore(b), hp, data).Run(1, 2);
        Assert.Equal(0.25, sa[2].LayerDensity["fc1.weight"], 3);
        Assert.Equal(File.ReadAllBytes(Path.Combine(new RunStore(a).LevelDir(hp, 1, 2), RunStore.MaskFile)),
                     File.ReadAllBytes(Path.Combine(new RunStore(b).LevelDir(hp, 1, 2), RunStore.MaskFile)));
    }

    [Fact]
    public void UnknownStrategiesAndControlsAsStrategiesAreRefused()
    {
        var e = Assert.Throws<HparamsException>(() => new LotteryHparams().With("strategy", "magnitud"));
        Assert.StartsWith("--strategy:", e.Message);
        Assert.Contains("magnitude", e.Message);
        Assert.Throws<HparamsException>(() => new LotteryHparams().With("strategy", "shuffle"));   // a mask transform, not a pruner
        Assert.Contains(PruningStrategies.All, s => s.Name == "shuffle" && s.Kind == StrategyKind.MaskTransform);
    }
}
