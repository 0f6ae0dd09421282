using Lth.Experiments;
using Lth.Init;
using Lth.Models;
using static TorchSharp.torch;

namespace Lth.Tests.Experiments;

/// <summary>
/// Every registered scheme reaches the run: the saved iteration-0 weights have the scheme's σ and are
/// bit-identical to a fresh <see cref="ModelInitializer"/> draw with the run's seed.
/// </summary>
public class InitFromRequestedSchemeTests
{
    public static TheoryData<string> Schemes() => new(Initializers.Names);

    [Theory]
    [MemberData(nameof(Schemes))]
    public void SavedInitialWeightsAreTheRequestedScheme(string scheme)
    {
        const long seed = 1;
        using var data = TinyData.Create(train: 64, val: 32, test: 32);
        using var dir = new TempDir();
        var store = new RunStore(dir);
        var tiny = LotteryRunnerTests.Tiny();
        var hp = tiny with
        {
            Model = new ModelHparams { Name = "lenet:512", Init = scheme },
            Training = tiny.Training with { Steps = "1it" },
        };
        new LotteryRunner(store, hp, data).Run(seed, levels: 0);

        var saved = TensorFile.Load(Path.Combine(store.SeedDir(hp, seed), RunStore.InitFile));
        try
        {
            var fc1 = saved["fc1.weight"];
            long[] shape = fc1.shape;
            Assert.Equal(new long[] { 512, 16 }, shape);
            var theory = Initializers.Parse(scheme).Describe(shape);
            var values = fc1.to_type(ScalarType.Float64);
            if (theory.Std == 0)
                Assert.True(values.eq(theory.Mean).all().item<bool>(), $"{scheme}: not every entry is {theory.Mean}");
            else
            {
                double std = values.std().item<double>();
                Assert.True(Math.Abs(std / theory.Std - 1) < 0.10, $"{scheme}: sample σ {std} vs theoretical {theory.Std}");
            }

            using var model = ModelRegistry.Create(hp.Model, data.Train.ExampleShape, data.Train.NumClasses);
            ModelInitializer.Apply(model, 0, hp.Model, seed);
            foreach (var p in model.Layout.Parameters)
            {
                var fresh = model.View(model.Flat, p, 0);
                Assert.True(fresh.eq(saved[p.Name]).all().item<bool>(), $"{scheme}: {p.Name} differs from a fresh draw");
            }
        }
        finally
        {
            foreach (var t in saved.Values) t.Dispose();
        }
    }
}
