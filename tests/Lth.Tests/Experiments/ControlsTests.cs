using Lth.Experiments;
using Lth.Models;
using Lth.Pruning;
using static TorchSharp.torch;

namespace Lth.Tests.Experiments;

public class ControlsTests
{
    private static LotteryHparams Tiny => LotteryRunnerTests.Tiny();

    private sealed class Starts : ILotteryObserver
    {
        public Dictionary<(string Hash, int Level), (float[] W, float[] M)> Levels { get; } = new();
        public string Hash = "";
        public void OnLevelStart(int level, IModel model, Mask mask) => Levels[(Hash, level)] = (model.Flat.data<float>().ToArray(), mask.Flat.data<float>().ToArray());
    }

    private static float[] Tensor(RunStore store, LotteryHparams hp, string file, int? level = null)
    {
        using var data = TinyData.Create();
        using var model = ModelRegistry.Create(hp.Model, data.Train.ExampleShape, data.Train.NumClasses);
        var path = level is int l ? Path.Combine(store.LevelDir(hp, 1, l), file) : Path.Combine(store.SeedDir(hp, 1), file);
        if (file == RunStore.MaskFile)
        {
            using var mask = Mask.Dense(model.Layout);
            WeightFiles.LoadMask(mask, path);
            return mask.Flat.data<float>().ToArray();
        }
        WeightFiles.Load(model, path);
        return model.Flat.data<float>().ToArray();
    }

    private static long Count(float[] xs) => xs.Count(x => x != 0);

    [Fact]
    public void ReinitKeepsTheWinningMaskWithFreshWeights()
    {
        using var data = TinyData.Create();
        using var dir = new TempDir();
        var store = new RunStore(dir);
        var control = Tiny with { Control = Control.Reinit };
        new LotteryRunner(store, control, data).Run(1, 2);
        var ticketInit = Tensor(store, Tiny, RunStore.InitFile);
        var reinit = Tensor(store, control, RunStore.InitFile);
        Assert.NotEqual(ticketInit, reinit);
        for (int l = 1; l <= 2; l++) Assert.Equal(Tensor(store, Tiny, RunStore.MaskFile, l), Tensor(store, control, RunStore.MaskFile, l));
        Assert.NotEqual(Hparams.Hash(Tiny), Hparams.Hash(control));
    }

    [Fact]
    public void SignedReinitKeepsTheOriginalSigns()
    {
        using var data = TinyData.Create();
        using var dir = new TempDir();
        var store = new RunStore(dir);
        var control = Tiny with { Control = Control.ReinitSigned };
        new LotteryRunner(store, control, data).Run(1, 1);
        var w0 = Tensor(store, Tiny, RunStore.InitFile);
        var w1 = Tensor(store, control, RunStore.InitFile);
        int differentMagnitudes = 0;
        for (int i = 0; i < w0.Length; i++)
        {
            if (w0[i] == 0) continue;
            Assert.Equal(Math.Sign(w0[i]), Math.Sign(w1[i]));
            if (Math.Abs(w0[i]) != Math.Abs(w1[i])) differentMagnitudes++;
        }
        Assert.True(differentMagnitudes > w0.Length / 2);
    }

    [Theory]
    [InlineData("random-prune")]
    [InlineData("shuffle")]
    [InlineData("random-prune-global")]
    public void RandomMasksHaveTheWinningCountsButOtherPositions(string kind)
    {
        using var data = TinyData.Create();
        using var dir = new TempDir();
        var store = new RunStore(dir);
        var control = Tiny.With("control", kind);
        new LotteryRunner(store, control, data).Run(1, 2);
        using var model = ModelRegistry.Create(Tiny.Model, data.Train.ExampleShape, data.Train.NumClasses);
        for (int l = 1; l <= 2; l++)
        {
            using var win = Mask.Dense(model.Layout);
            using var rnd = Mask.Dense(model.Layout);
            WeightFiles.LoadMask(win, Path.Combine(store.LevelDir(Tiny, 1, l), RunStore.MaskFile));
            WeightFiles.LoadMask(rnd, Path.Combine(store.LevelDir(control, 1, l), RunStore.MaskFile));
            var weights = model.Layout.Parameters.Where(p => p.IsWeight).ToList();
            if (kind == "random-prune-global")
                Assert.Equal(weights.Sum(p => win.Alive(p, 0)), weights.Sum(p => rnd.Alive(p, 0)));
            else
                foreach (var p in weights) Assert.Equal(win.Alive(p, 0), rnd.Alive(p, 0));
            Assert.False(win.Flat.eq(rnd.Flat).all().item<bool>());
            // The weights are the original init on the random mask.
            var init = Tensor(store, Tiny, RunStore.InitFile);
            Assert.Equal(init, Tensor(store, control, RunStore.InitFile));
        }
    }

    [Fact]
    public void RewoundLevelsStartFromTheSavedIterationKWeights()
    {
        using var data = TinyData.Create();
        using var dir = new TempDir();
        var store = new RunStore(dir);
        var hp = Tiny with { Rewind = "20it" };
        var starts = new Starts();
        new LotteryRunner(store, hp, data).Run(1, 2, starts);
        var rewind = Tensor(store, hp, RunStore.RewindFile(20));
        Assert.NotEqual(Tensor(store, hp, RunStore.InitFile), rewind);
        for (int l = 1; l <= 2; l++)
        {
            var (w, m) = starts.Levels[("", l)];
            for (int i = 0; i < w.Length; i++) Assert.Equal(rewind[i] * m[i], w[i]);
        }
    }

    [Fact]
    public void TransferUsesSchemeBValuesOnSchemeAMasks()
    {
        using var data = TinyData.Create();
        using var dir = new TempDir();
        var store = new RunStore(dir);
        var a = Tiny with { Model = Tiny.Model with { Init = "xavier-uniform" } };
        var b = Tiny with { Model = Tiny.Model with { Init = "kaiming-normal" }, TransferFrom = "xavier-uniform" };
        var starts = new Starts();
        new LotteryRunner(store, b, data).Run(1, 2, starts);
        using var model = ModelRegistry.Create(b.Model, data.Train.ExampleShape, data.Train.NumClasses);
        ModelInitializer.Apply(model, 0, b.Model, 1);              // scheme B's draw for this seed
        var bInit = model.Flat.data<float>().ToArray();
        Assert.Equal(bInit, Tensor(store, b, RunStore.InitFile));
        Assert.NotEqual(bInit, Tensor(store, a, RunStore.InitFile));
        for (int l = 1; l <= 2; l++)
        {
            Assert.Equal(Tensor(store, a, RunStore.MaskFile, l), Tensor(store, b, RunStore.MaskFile, l));
            var (w, m) = starts.Levels[("", l)];
            for (int i = 0; i < w.Length; i++) Assert.Equal(bInit[i] * m[i], w[i]);
        }
    }

    [Fact]
    public void OneShotPrunesTheDenseNetworkStraightToEachDensity()
    {
        using var data = TinyData.Create();
        using var dir = new TempDir();
        var store = new RunStore(dir);
        var hp = Tiny with { OneShot = true };
        var s = new LotteryRunner(store, hp, data).Run(1, 3);
        Assert.Equal(0.125, s[3].LayerDensity["fc1.weight"], 2);       // 0.5^3 in one step from level 0's weights
        Assert.Equal(Math.Pow(0.75, 3), s[3].LayerDensity["fc3.weight"], 1);
        // Level 3's survivors are the largest level-0 trained weights.
        using var model = ModelRegistry.Create(hp.Model, data.Train.ExampleShape, data.Train.NumClasses);
        var trained0 = Tensor(store, hp, RunStore.FinalFile, 0);
        var m3 = Tensor(store, hp, RunStore.MaskFile, 3);
        var fc1 = model.Layout["fc1.weight"];
        var kept = Enumerable.Range((int)fc1.Offset, (int)fc1.Numel).Where(i => m3[i] == 1).Select(i => Math.Abs(trained0[i])).Min();
        var cut = Enumerable.Range((int)fc1.Offset, (int)fc1.Numel).Where(i => m3[i] == 0).Select(i => Math.Abs(trained0[i])).Max();
        Assert.True(cut <= kept);
    }

    [Fact]
    public void CarriedOptimizerStateResumesBitwise()
    {
        using var data = TinyData.Create();
        using var a = new TempDir();
        using var b = new TempDir();
        var hp = Tiny with { OptimizerState = OptimizerState.Carry };
        var straight = new LotteryRunner(new RunStore(a), hp, data).Run(1, 2);
        new LotteryRunner(new RunStore(b), hp, data).Run(1, 1);        // "killed" after level 1
        var resumed = new LotteryRunner(new RunStore(b), hp, data).Run(1, 2);
        Assert.Equal(straight[2].FinalTrainLoss, resumed[2].FinalTrainLoss);
        Assert.Equal(File.ReadAllBytes(Path.Combine(new RunStore(a).LevelDir(hp, 1, 2), RunStore.FinalFile)),
                     File.ReadAllBytes(Path.Combine(new RunStore(b).LevelDir(hp, 1, 2), RunStore.FinalFile)));
        var fresh = new LotteryRunner(new RunStore(a), Tiny, data).Run(1, 2);
        Assert.NotEqual(fresh[2].FinalTrainLoss, straight[2].FinalTrainLoss);
    }

    [Fact]
    public void WinnerStatisticsAreStoredPerLevel()
    {
        using var data = TinyData.Create();
        using var dir = new TempDir();
        var store = new RunStore(dir);
        new LotteryRunner(store, Tiny, data).Run(1, 2);
        var json = File.ReadAllText(Path.Combine(store.LevelDir(Tiny, 1, 2), RunStore.WinnersFile));
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var fc1 = doc.RootElement.EnumerateArray().First(e => e.GetProperty("layer").GetString() == "fc1.weight");
        long survivors = fc1.GetProperty("survivors").GetInt64();
        Assert.Equal(32 * 16 / 4, survivors);
        // Magnitude pruning keeps weights that were large at init more often than not.
        Assert.True(fc1.GetProperty("mean_abs_z_survivors").GetDouble() > fc1.GetProperty("mean_abs_z_pruned").GetDouble());
        double flips = fc1.GetProperty("sign_flip_fraction").GetDouble();
        Assert.InRange(flips, 0, 0.5);
        Assert.Equal(survivors, fc1.GetProperty("survivors_z").GetProperty("counts").EnumerateArray().Sum(x => x.GetInt64()));
    }
}
