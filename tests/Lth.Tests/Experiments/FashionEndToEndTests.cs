using Lth.Data;
using Lth.Experiments;
using Lth.Models;
using Lth.Pruning;

namespace Lth.Tests.Experiments;

/// <summary>
/// A short real lottery experiment: LeNet-300-100 on a 6,000-image subset of the real Fashion-MNIST
/// (Debian's dataset-fashion-mnist, installed by setup.sh), levels 0–3. It fails — does not skip —
/// when the data is missing.
/// </summary>
public class FashionEndToEndTests
{
    private sealed class Starts : ILotteryObserver
    {
        public List<(float[] Weights, float[] Mask)> Levels { get; } = new();
        public void OnLevelStart(int level, IModel model, Mask mask) => Levels.Add((model.Flat.data<float>().ToArray(), mask.Flat.data<float>().ToArray()));
    }

    [Fact]
    public void ThreeLevelLotteryOnAFashionMnistSubset()
    {
        var hp = Preset.Get("lenet-fashion").Hparams with { };
        hp = hp.With("train-subset", "6000").With("steps", "2ep").With("init", "kaiming-normal");
        using var data = DatasetCatalog.Load(hp.Dataset, DataLocation.FromEnvironment(allowDownload: false));
        Assert.Equal(6000, data.Train.Count);
        Assert.Equal(5000, data.Validation.Count);
        Assert.Equal(10000, data.Test.Count);

        using var dir = new TempDir();
        var store = new RunStore(dir);
        var starts = new Starts();
        var s = new LotteryRunner(store, hp, data).Run(seed: 1, levels: 3, starts);

        double[] hidden = [1.0, 0.8, 0.64, 0.512], output = [1.0, 0.9, 0.81, 0.729];
        for (int l = 0; l <= 3; l++)
        {
            Assert.Equal(hidden[l], s[l].LayerDensity["fc1.weight"], 3);
            Assert.Equal(hidden[l], s[l].LayerDensity["fc2.weight"], 3);
            Assert.Equal(output[l], s[l].LayerDensity["fc3.weight"], 2);
            Assert.True(s[l].TestAccuracyAtEarlyStop > 0.70, $"level {l}: test accuracy {s[l].TestAccuracyAtEarlyStop} (chance is 0.10)");
            Assert.False(s[l].Diverged);
        }

        using var model = ModelRegistry.Create(hp.Model, data.Train.ExampleShape, 10);
        WeightFiles.Load(model, Path.Combine(store.SeedDir(hp, 1), RunStore.InitFile));
        var init = model.Flat.data<float>().ToArray();
        for (int l = 0; l <= 3; l++)
        {
            var (start, mask) = starts.Levels[l];
            WeightFiles.Load(model, Path.Combine(store.LevelDir(hp, 1, l), RunStore.FinalFile));
            var trained = model.Flat.data<float>().ToArray();
            for (int i = 0; i < init.Length; i++)
            {
                Assert.Equal(init[i] * mask[i], start[i]);        // survivors start at their iteration-0 values
                if (mask[i] == 0) Assert.Equal(0f, trained[i]);    // pruned weights stay exactly zero
            }
        }
    }
}
