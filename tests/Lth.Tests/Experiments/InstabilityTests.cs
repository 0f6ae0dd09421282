using Lth.Data;
using Lth.Experiments;
using Lth.Models;
using Lth.Training;
using static TorchSharp.torch;

namespace Lth.Tests.Experiments;

/// <summary>
/// Linear mode connectivity: a hand-built pair of networks with a known barrier, two identical copies (barrier 0),
/// the path's ends equal to the two copies' own evaluations, resume after a kill inside the second copy, and the
/// flags refused when they would be ignored or cannot compose.
/// </summary>
public class InstabilityTests
{
    private static LotteryHparams Tiny() => LotteryRunnerTests.Tiny().With("instability", "all").With("interp-points", "5");

    /// <summary>
    /// Inputs ±v (class 0 for +v, class 1 for −v), a 2-2-2 ReLU net without biases. A: W1 = [v; −v], W2 = I.
    /// B: W1 = [−v; v], W2 = the swap. Both classify every example right; on the line between them W1 shrinks to 0
    /// at α = ½, every logit is 0 there, argmax picks class 0 and half the examples are wrong; elsewhere
    /// (1 − α vs α decides the class) every example is right. With α ∈ {0, ¼, ½, ¾, 1}: errors 0, 0, ½, 0, 0.
    /// </summary>
    [Fact]
    public void AHandBuiltPairWithAKnownBarrierGivesThatBarrier()
    {
        using var model = ModelRegistry.Create(new ModelHparams { Name = "lenet:2", Bias = false }, [1, 1, 2], 2);
        Assert.Equal(["fc1.weight", "fc2.weight"], model.Layout.Parameters.Select(p => p.Name));
        float[] v = [0.6f, 0.8f];
        Tensor Flat(float[,] w1, float[,] w2)
        {
            using var _ = no_grad();
            model.View(model.Flat, model.Layout["fc1.weight"], 0).copy_(tensor(w1));
            model.View(model.Flat, model.Layout["fc2.weight"], 0).copy_(tensor(w2));
            return model.Flat.clone();
        }
        using var a = Flat(new[,] { { v[0], v[1] }, { -v[0], -v[1] } }, new float[,] { { 1, 0 }, { 0, 1 } });
        using var b = Flat(new[,] { { -v[0], -v[1] }, { v[0], v[1] } }, new float[,] { { 0, 1 }, { 1, 0 } });
        var x = tensor(new[] { v[0], v[1], -v[0], -v[1], 2 * v[0], 2 * v[1], -3 * v[0], -3 * v[1] }).view(4, 1, 1, 2);
        var y = tensor(new long[] { 0, 1, 0, 1 });
        using var set = new Dataset(x, y, 2);

        var path = Instability.Path(model, (a, []), (b, []), 5, set, set)[0];
        Assert.Equal([0, 0.25, 0.5, 0.75, 1], path.Where(p => p.Split == "test").Select(p => p.Alpha));
        Assert.Equal([0, 0, 0.5, 0, 0], path.Where(p => p.Split == "test").Select(p => p.Error));
        Assert.Equal(0.5, Instability.Barrier(path, "test"));
        Assert.Equal(0.5, Instability.Barrier(path, "train"));
        Assert.Equal(a.data<float>().ToArray(), model.Flat.data<float>().ToArray());   // the model is left holding A
        // With 4 points (no α = ½ on the grid) the same pair shows no barrier: the grid is part of the measurement.
        Assert.Equal(0, Instability.Barrier(Instability.Path(model, (a, []), (b, []), 4, set, set)[0], "test"));
    }

    [Fact]
    public void TwoCopiesWithTheSameDataOrderHaveInstabilityExactlyZero()
    {
        using var data = TinyData.Create();
        var hp = LotteryRunnerTests.Tiny();
        using var model = ModelRegistry.Create(hp.Model, data.Train.ExampleShape, data.Train.NumClasses);
        ModelInitializer.Apply(model, 0, hp.Model, 1);
        using var mask = Lth.Pruning.Mask.Dense(model.Layout);
        var start = Instability.Snapshot(model);
        new Trainer(hp.Training, data, seed: 4).Train(model, mask);
        var first = Instability.Snapshot(model);
        using (no_grad()) model.Flat.copy_(start.Flat);
        new Trainer(hp.Training, data, seed: 4).Train(model, mask);
        var second = Instability.Snapshot(model);
        Assert.Equal(first.Flat.data<float>().ToArray(), second.Flat.data<float>().ToArray());
        var path = Instability.Path(model, first, second, 7, data.Test, data.Train)[0];
        Assert.Equal(0, Instability.Barrier(path, "test"));
        Assert.Equal(0, Instability.Barrier(path, "train"));
        Assert.Single(path.Where(p => p.Split == "test").Select(p => p.Error).Distinct());

        // Another data order (the second copy's seed) gives another network.
        using (no_grad()) model.Flat.copy_(start.Flat);
        new Trainer(hp.Training, data, Instability.CopySeed(4)).Train(model, mask);
        Assert.NotEqual(first.Flat.data<float>().ToArray(), model.Flat.data<float>().ToArray());
    }

    [Fact]
    public void ARunStoresThePathWhoseEndsAreTheTwoCopiesAndTheBarrierInItsSummary()
    {
        using var data = TinyData.Create();
        using var dir = new TempDir();
        var store = new RunStore(dir);
        var hp = Tiny().With("rewind", "3it");
        var summaries = new LotteryRunner(store, hp, data).Run(seed: 2, levels: 1);
        foreach (var s in summaries)
        {
            var path = Instability.ReadCsv(Path.Combine(store.LevelDir(hp, 2, s.Level), Instability.CsvFile));
            Assert.Equal(2 * 5, path.Count);
            var test = path.Where(p => p.Split == "test").OrderBy(p => p.Alpha).ToList();
            Assert.Equal(1 - s.FinalTestAccuracy!.Value, test[0].Error);                   // α = 0: this level's run
            Assert.Equal(1 - s.InstabilityCopyTestAccuracy!.Value, test[^1].Error);         // α = 1: the second copy
            Assert.Equal(Instability.Barrier(path, "test"), s.InstabilityTest);
            Assert.Equal(Instability.Barrier(path, "train"), s.InstabilityTrain);
            Assert.True(s.InstabilityTest >= 0 && s.InstabilityTrain >= 0);
            Assert.Equal(3, s.InstabilityStart);   // level 0 from its own iteration 3, level 1 rewound to it
            Assert.Null(s.InstabilityCopyDiverged);
        }
        // instability.csv is part of the verified store: its digest is in the summary and a changed byte is caught.
        var level1 = store.LevelDir(hp, 2, 1);
        Assert.Equal(FileDigest.Of(Path.Combine(level1, Instability.CsvFile)), summaries[1].Files![Instability.CsvFile]);
        var bytes = File.ReadAllBytes(Path.Combine(level1, Instability.CsvFile));
        bytes[^3] ^= 1;
        File.WriteAllBytes(Path.Combine(level1, Instability.CsvFile), bytes);
        var e = Assert.Throws<InvalidDataException>(() => StoredFiles.Level(level1, Instability.CsvFile));
        Assert.Contains(Instability.CsvFile, e.Message);

        // The second copy is a different network: somewhere on the path the errors differ from the ends'.
        Assert.Contains(summaries, s => s.InstabilityCopyTestAccuracy != s.FinalTestAccuracy || s.InstabilityTest > 0);
        // Without --instability a summary has none of these fields.
        var plain = new LotteryRunner(store, LotteryRunnerTests.Tiny(), data).Run(seed: 2, levels: 0)[0];
        Assert.Null(plain.InstabilityTest);
        Assert.DoesNotContain("instability", File.ReadAllText(RunStore.SummaryIn(store.LevelDir(LotteryRunnerTests.Tiny(), 2, 0))));
    }

    /// <summary>Throws once the second copy of <see cref="Level"/> has trained a few steps (its iterations restart from the level's start).</summary>
    private sealed class KillInsideTheCopy : ILotteryObserver
    {
        public int Level = 1;
        private int current = -1;
        private long last = -1;
        private bool inCopy;
        public void OnLevelStart(int level, IModel model, Lth.Pruning.Mask mask) { current = level; last = -1; inCopy = false; }
        public void OnIteration(long iteration, long total, IModel model)
        {
            if (current != Level) return;
            if (iteration < last) inCopy = true;
            last = iteration;
            if (inCopy && iteration >= 4) throw new OperationCanceledException("simulated kill inside the second copy");
        }
    }

    [Fact]
    public void ARunKilledInsideAnInstabilityLevelResumesToTheSameFiles()
    {
        using var data = TinyData.Create();
        using var a = new TempDir();
        using var b = new TempDir();
        var hp = Tiny();
        new LotteryRunner(new RunStore(a), hp, data).Run(5, 2);
        Assert.Throws<OperationCanceledException>(() => new LotteryRunner(new RunStore(b), hp, data).Run(5, 2, new KillInsideTheCopy()));
        Assert.False(File.Exists(RunStore.SummaryIn(new RunStore(b).LevelDir(hp, 5, 1))));   // the level is not done
        new LotteryRunner(new RunStore(b), hp, data).Run(5, 2);
        for (int l = 0; l <= 2; l++)
            foreach (var file in new[] { Instability.CsvFile, RunStore.FinalFile, RunStore.MetricsFile, RunStore.MaskFile })
                Assert.Equal(File.ReadAllBytes(Path.Combine(new RunStore(a).LevelDir(hp, 5, l), file)),
                             File.ReadAllBytes(Path.Combine(new RunStore(b).LevelDir(hp, 5, l), file)));
    }

    [Fact]
    public void ACohortMeasuresWhatItsSoloRunsMeasure()
    {
        using var data = TinyData.Create();
        using var solo = new TempDir();
        using var cohort = new TempDir();
        var members = new[] { Tiny(), Tiny().With("init", "xavier-normal") };
        foreach (var m in members) new LotteryRunner(new RunStore(solo), m, data).Run(1, 1);
        new LotteryRunner(new RunStore(cohort), members, data).RunCohort(1, 1);
        foreach (var m in members)
            for (int l = 0; l <= 1; l++)
                Assert.Equal(File.ReadAllBytes(Path.Combine(new RunStore(solo).LevelDir(m, 1, l), Instability.CsvFile)),
                             File.ReadAllBytes(Path.Combine(new RunStore(cohort).LevelDir(m, 1, l), Instability.CsvFile)));
    }

    [Theory]
    [InlineData("interp-points", "1", "none", "--interp-points: 1 must be >= 3")]
    [InlineData("interp-points", "2", "all", "--interp-points: 2 must be >= 3")]
    [InlineData("interp-points", "10", "none", "--interp-points: only used with --instability")]
    [InlineData("optimizer-state", "carry", "all", "--instability: the two copies of a level start with a fresh optimizer")]
    [InlineData("instability", "some", "some", "--instability: 'some' is not none, all or a list of levels")]
    [InlineData("instability", "0,-1", "0,-1", "--instability: '0,-1' is not none, all or a list of levels")]
    public void FlagsThatWouldBeIgnoredOrCannotComposeAreRefused(string flag, string value, string instability, string message)
    {
        var hp = LotteryRunnerTests.Tiny().With("instability", flag == "instability" ? "none" : instability);
        var e = Assert.Throws<HparamsException>(() => Hparams.Validate(hp.With(flag, value)));
        Assert.StartsWith(message, e.Message);
    }

    [Fact]
    public void TheLevelListIsCanonicalAndSelectsLevels()
    {
        Assert.Equal(Hparams.Hash(LotteryRunnerTests.Tiny().With("instability", "6, 0,3,3")), Hparams.Hash(LotteryRunnerTests.Tiny().With("instability", "0,3,6")));
        Assert.Equal(Hparams.Hash(LotteryRunnerTests.Tiny()), Hparams.Hash(LotteryRunnerTests.Tiny().With("instability", "None")));
        var hp = LotteryRunnerTests.Tiny().With("instability", "0,3");
        Assert.Equal([true, false, false, true], Enumerable.Range(0, 4).Select(l => Instability.At(hp, l)));
        Assert.Equal(30, Instability.Alphas(30).Length);
        Assert.Equal((0.0, 1.0), (Instability.Alphas(30)[0], Instability.Alphas(30)[^1]));
    }
}
