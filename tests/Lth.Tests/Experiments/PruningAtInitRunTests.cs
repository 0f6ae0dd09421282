using Lth.Experiments;
using Lth.Models;
using Lth.Pruning;
using static TorchSharp.torch;

namespace Lth.Tests.Experiments;

/// <summary>Pruning at initialization on IMP's axis: each level is the fresh init pruned to that level's density, then trained.</summary>
public class PruningAtInitRunTests
{
    [Theory, InlineData("snip"), InlineData("synflow"), InlineData("magnitude-init")]
    public void EachLevelIsTheInitPrunedToThatLevelsDensity(string strategy)
    {
        using var data = TinyData.Create();
        using var dir = new TempDir();
        var store = new RunStore(dir);
        var hp = LotteryRunnerTests.Tiny().With("strategy", strategy).With("synflow-rounds", strategy == "synflow" ? "10" : "100");
        var summaries = new LotteryRunner(store, hp, data).Run(1, 2);
        Assert.Equal(0.25, summaries[2].LayerDensity["fc1.weight"], 3);   // IMP's schedule: (1 - 0.5)^2

        using var model = ModelRegistry.Create(hp.Model, data.Train.ExampleShape, data.Train.NumClasses);
        WeightFiles.Load(model, Path.Combine(store.SeedDir(hp, 1), RunStore.InitFile));
        for (int level = 1; level <= 2; level++)
        {
            using var dense = Mask.Dense(model.Layout);
            using var rng = new Generator(Seeds.For(1, $"{strategy}-level-{level}"));
            using var batchRng = new Generator(Seeds.For(1, $"{strategy}-batches-level-{level}"));
            BatchSource batches = count =>
            {
                using var idx = randint(0, data.Train.Count, [count], generator: batchRng);
                return (data.Train.Images.index_select(0, idx), data.Train.Labels.index_select(0, idx));
            };
            using var expected = PruningStrategies.Get(strategy).Create()
                .Prune(new PruningContext(model, dense, PruningRates.ForOneShot(hp.Pruning, level), level, 0, rng, batches));
            using var stored = WeightFiles.ReadMask(model.Layout, Path.Combine(store.LevelDir(hp, 1, level), RunStore.MaskFile));
            Assert.True(expected.Flat.eq(stored.Flat).all().item<bool>(), $"level {level}: the stored mask is not {strategy} of the initial weights");
        }
    }

    [Fact]
    public void ControlsComposeWithAStrategyAndOneShotIsRefused()
    {
        using var data = TinyData.Create();
        using var dir = new TempDir();
        var store = new RunStore(dir);
        var snip = LotteryRunnerTests.Tiny().With("strategy", "snip");
        var shuffled = snip.With("control", "shuffle");
        var s = new LotteryRunner(store, shuffled, data).Run(1, 1);
        Assert.Equal(0.5, s[1].LayerDensity["fc1.weight"], 3);   // shuffle keeps each layer's count of snip's mask
        Assert.True(File.Exists(Path.Combine(store.LevelDir(snip, 1, 1), RunStore.MaskFile)));   // the source run exists
        var e = Assert.Throws<HparamsException>(() => Hparams.Validate(snip.With("one-shot", "true")));
        Assert.StartsWith("--one-shot:", e.Message);
    }

    [Fact]
    public void ALayerWithNoWeightsLeftIsRecordedAndTheLevelStillTrains()
    {
        using var data = TinyData.Create();
        using var dir = new TempDir();
        // fc2 (16x32 = 512 weights) at 99% per level: 5 left after level 1, none after level 2.
        var hp = LotteryRunnerTests.Tiny().With("rates", "fc2=0.99");
        var s = new LotteryRunner(new RunStore(dir), hp, data).Run(1, 2);
        Assert.Empty(s[1].CollapsedLayers);
        Assert.Equal(["fc2.weight"], s[2].CollapsedLayers);
        Assert.NotNull(s[2].TestAccuracyAtEarlyStop);
        Assert.Contains("\"collapsed_layers\": [\n    \"fc2.weight\"", File.ReadAllText(Path.Combine(new RunStore(dir).LevelDir(hp, 1, 2), RunStore.SummaryFile)).Replace("\r", ""));
    }
}
