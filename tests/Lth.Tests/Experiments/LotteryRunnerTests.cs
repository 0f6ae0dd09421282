using Lth.Experiments;
using Lth.Models;
using Lth.Pruning;
using static TorchSharp.torch;

namespace Lth.Tests.Experiments;

public class LotteryRunnerTests
{
    internal static LotteryHparams Tiny(string init = "kaiming-normal") => new LotteryHparams
    {
        Dataset = new() { Name = "synthetic" },
        Model = new() { Name = "lenet:32,16", Init = init },
        Training = new() { Batch = 30, Steps = "3ep", Lr = 3e-3 },
        Pruning = new() { Rate = 0.5, RateOutput = 0.25 },
    };

    private sealed class Recorder : ILotteryObserver
    {
        public List<(int Level, float[] Start, float[] Mask)> Starts { get; } = new();
        public List<(LevelSummary S, bool Skipped)> Done { get; } = new();
        public int KillAfterLevels = int.MaxValue;
        public void OnLevelStart(int level, IModel model, Mask mask) => Starts.Add((level, model.Flat.data<float>().ToArray(), mask.Flat.data<float>().ToArray()));
        public void OnLevelDone(LevelSummary s, bool skipped)
        {
            Done.Add((s, skipped));
            if (!skipped && Done.Count(d => !d.Skipped) >= KillAfterLevels) throw new OperationCanceledException("simulated kill");
        }
    }

    [Fact]
    public void LevelsPruneAtTheirRatesResetToInitAndKeepPrunedWeightsZero()
    {
        using var data = TinyData.Create();
        using var dir = new TempDir();
        var store = new RunStore(dir);
        var hp = Tiny();
        var rec = new Recorder();
        var summaries = new LotteryRunner(store, hp, data).Run(seed: 1, levels: 2, rec);

        Assert.Equal(3, summaries.Count);
        // fc1 and fc2 at 50%, output at 25% of the remaining weights per level.
        Assert.Equal(1.0, summaries[0].LayerDensity["fc1.weight"]);
        Assert.Equal(0.5, summaries[1].LayerDensity["fc1.weight"], 3);
        Assert.Equal(0.25, summaries[2].LayerDensity["fc1.weight"], 3);
        Assert.Equal(0.75, summaries[1].LayerDensity["fc3.weight"], 2);
        Assert.Equal(0.5625, summaries[2].LayerDensity["fc3.weight"], 2);
        // Accuracy well above chance (4 classes).
        Assert.All(summaries, s => Assert.True(s.TestAccuracyAtEarlyStop > 0.6, $"level {s.Level}: {s.TestAccuracyAtEarlyStop}"));

        // Each level starts from the saved initial weights, masked.
        var seedDir = store.SeedDir(hp, 1);
        using var model = ModelRegistry.Create(hp.Model, data.Train.ExampleShape, data.Train.NumClasses);
        WeightFiles.Load(model, Path.Combine(seedDir, RunStore.InitFile));
        var init = model.Flat.data<float>().ToArray();
        foreach (var (level, start, mask) in rec.Starts)
            for (int i = 0; i < init.Length; i++)
                Assert.Equal(init[i] * mask[i], start[i]);

        // Pruned weights are exactly zero in every level's trained weights.
        for (int level = 0; level <= 2; level++)
        {
            var levelDir = store.LevelDir(hp, 1, level);
            WeightFiles.Load(model, Path.Combine(levelDir, RunStore.FinalFile));
            var w = model.Flat.data<float>().ToArray();
            var m = rec.Starts[level].Mask;
            for (int i = 0; i < w.Length; i++) if (m[i] == 0) Assert.Equal(0f, w[i]);
            Assert.True(File.Exists(Path.Combine(levelDir, RunStore.MetricsFile)));
            Assert.True(File.Exists(Path.Combine(levelDir, RunStore.MaskFile)));
        }
        Assert.True(File.Exists(Path.Combine(store.RunDir(hp), RunStore.HparamsFile)));
    }

    [Fact]
    public void AKilledRunResumesWithBitwiseIdenticalResults()
    {
        using var data = TinyData.Create();
        using var a = new TempDir();
        using var b = new TempDir();
        var hp = Tiny();
        var straight = new LotteryRunner(new RunStore(a), hp, data).Run(3, 3);

        var killer = new Recorder { KillAfterLevels = 2 };
        Assert.Throws<OperationCanceledException>(() => new LotteryRunner(new RunStore(b), hp, data).Run(3, 3, killer));
        var rec = new Recorder();
        var resumed = new LotteryRunner(new RunStore(b), hp, data).Run(3, 3, rec);

        Assert.Equal(new[] { true, true, false, false }, rec.Done.Select(d => d.Skipped));
        for (int l = 0; l <= 3; l++)
        {
            Assert.Equal(straight[l].TestAccuracyAtEarlyStop, resumed[l].TestAccuracyAtEarlyStop);
            Assert.Equal(straight[l].FinalTrainLoss, resumed[l].FinalTrainLoss);
            Assert.Equal(straight[l].EarlyStopIteration, resumed[l].EarlyStopIteration);
            var fa = File.ReadAllBytes(Path.Combine(new RunStore(a).LevelDir(hp, 3, l), RunStore.FinalFile));
            var fb = File.ReadAllBytes(Path.Combine(new RunStore(b).LevelDir(hp, 3, l), RunStore.FinalFile));
            Assert.Equal(fa, fb);
            Assert.Equal(File.ReadAllText(Path.Combine(new RunStore(a).LevelDir(hp, 3, l), RunStore.MetricsFile)),
                         File.ReadAllText(Path.Combine(new RunStore(b).LevelDir(hp, 3, l), RunStore.MetricsFile)));
        }
        // A finished run does nothing on a third call.
        var again = new Recorder();
        new LotteryRunner(new RunStore(b), hp, data).Run(3, 3, again);
        Assert.All(again.Done, d => Assert.True(d.Skipped));
    }

    [Fact]
    public void ALockedRunIsRefused()
    {
        using var data = TinyData.Create();
        using var dir = new TempDir();
        var store = new RunStore(dir);
        var hp = Tiny();
        using var held = RunLock.TryAcquire(store.SeedDir(hp, 5));
        Assert.NotNull(held);
        Assert.Throws<RunBusyException>(() => new LotteryRunner(store, hp, data).Run(5, 0));
    }

    [Fact]
    public void SavedInitialWeightsComeFromTheRequestedScheme()
    {
        // The seed study saved its reset point BEFORE applying the compared init; this catches that bug class.
        using var data = TinyData.Create();
        using var dir = new TempDir();
        var store = new RunStore(dir);
        foreach (var (scheme, std) in new[] { ("kaiming-normal", Math.Sqrt(2.0 / 16)), ("xavier-normal", Math.Sqrt(2.0 / (16 + 2000))) })
        {
            var hp = Tiny(scheme) with { Model = Tiny(scheme).Model with { Name = "lenet:2000" } };
            hp = hp with { Training = hp.Training with { Steps = "1it" } };
            new LotteryRunner(store, hp, data).Run(1, 0);
            var init = Lth.Foundations.TensorFile.Load(Path.Combine(store.SeedDir(hp, 1), RunStore.InitFile));
            var w = init["fc1.weight"];
            Assert.Equal(new long[] { 2000, 16 }, w.shape);
            Assert.InRange(w.std().item<float>(), std * 0.97, std * 1.03);
            // ... and equal to a fresh draw of the scheme from the run's init generator.
            using var model = ModelRegistry.Create(hp.Model, data.Train.ExampleShape, data.Train.NumClasses);
            ModelInitializer.Apply(model, 0, hp.Model, 1);
            Assert.True(model.Parameter("fc1.weight")[0].eq(w).all().item<bool>());
        }
    }

    [Fact]
    public void ADivergedRunIsRecordedAndEndsAtThatLevel()
    {
        using var data = TinyData.Create();
        using var dir = new TempDir();
        var store = new RunStore(dir);
        var hp = Tiny() with { Training = Tiny().Training with { Optimizer = "sgd", Lr = 1e30, EvalEvery = "5it" } };
        var summaries = new LotteryRunner(store, hp, data).Run(2, 3);
        var s = Assert.Single(summaries);
        Assert.True(s.Diverged);
        Assert.NotNull(s.DivergedAt);
        Assert.True(store.IsRunComplete(hp, 2, 3));
        var again = new Recorder();
        Assert.Single(new LotteryRunner(store, hp, data).Run(2, 3, again));
        Assert.True(Assert.Single(again.Done).Skipped);
    }

    [Fact]
    public void AContinuousDataOrderChangesOnlyTheLevelsAfterTheFirst()
    {
        using var data = TinyData.Create();
        using var a = new TempDir();
        using var b = new TempDir();
        var restart = Tiny();
        var continuous = Tiny().With("data-order", "continuous");
        Assert.NotEqual(Hparams.Hash(restart), Hparams.Hash(continuous));
        new LotteryRunner(new RunStore(a), restart, data).Run(1, 1);
        new LotteryRunner(new RunStore(b), continuous, data).Run(1, 1);
        byte[] Metrics(string root, LotteryHparams hp, int level) => File.ReadAllBytes(Path.Combine(new RunStore(root).LevelDir(hp, 1, level), RunStore.MetricsFile));
        Assert.Equal(Metrics(a, restart, 0), Metrics(b, continuous, 0));      // level 0 starts the order in both
        Assert.NotEqual(Metrics(a, restart, 1), Metrics(b, continuous, 1));   // level 1 continues it, not restarts
    }

    [Fact]
    public void TheSeedProtocolPresetIsTheSeedsLoop()
    {
        var hp = Preset.Get("seed-protocol").Hparams;
        Assert.Equal("leaky-relu:0.05", hp.Model.Activation);
        Assert.Equal(InputScaling.UnitRange, hp.Dataset.Inputs);
        Assert.Equal(DataOrderMode.Continuous, hp.DataOrder);
        Assert.Equal(OptimizerState.Carry, hp.OptimizerState);
        foreach (var study in new[] { "seed-study", "seed-study-fashion", "seed-study-quick" })
            Assert.Equal("leaky-relu:0.05", Study.Load(study).Base.Model.Activation);
    }

    [Fact]
    public void AdamThatBlowsUpWithoutNaNIsStillDiverged()
    {
        using var data = TinyData.Create();
        using var dir = new TempDir();
        var hp = Tiny() with { Training = Tiny().Training with { Lr = 1000 } };
        var s = new LotteryRunner(new RunStore(dir), hp, data).Run(1, 1);
        Assert.Single(s);                                   // a diverged level ends its run
        Assert.True(s[0].Diverged);
        var metrics = File.ReadAllLines(Path.Combine(new RunStore(dir).LevelDir(hp, 1, 0), RunStore.MetricsFile)).Skip(1)
            .Select(l => double.Parse(l.Split(',')[2], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.All(metrics, l => Assert.True(double.IsFinite(l)));   // no NaN: the loss-ratio rule caught it
        var normal = new LotteryRunner(new RunStore(dir), Tiny(), data).Run(1, 1);
        Assert.All(normal, x => Assert.False(x.Diverged));
    }
}
