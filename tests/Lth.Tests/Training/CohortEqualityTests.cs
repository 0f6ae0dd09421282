using Lth.Data;
using Lth.Experiments;
using Lth.Models;
using Lth.Pruning;
using Lth.Training;
using Lth.Tests.Support;
using static TorchSharp.torch;

namespace Lth.Tests.Training;

/// <summary>A cohort of K members is K independent runs: each member matches its solo (K = 1) run.</summary>
[Collection(ThreadsCollection.Name)]
public class CohortEqualityTests
{
    [Theory]
    [InlineData("adam", 1.0)]
    [InlineData("sgd", 1.0)]
    [InlineData("adam", 0.1)]   // fc1 at 10% density: the sparse first layer (SparseLinear)
    [InlineData("sgd", 0.1)]
    public void EachMemberOfAFourCohortMatchesItsSoloRunBitwise(string optimizer, double fc1Density)
    {
        using var data = TinyData.Create();
        var schemes = new[] { "kaiming-normal", "xavier-uniform", "xavier-normal:gain=0.5", "torch-default" };
        var hp = new TrainingHparams { Optimizer = optimizer, Lr = optimizer == "sgd" ? 0.05 : 3e-3, Momentum = optimizer == "sgd" ? 0.9 : 0, Batch = 30, Steps = "2ep", EvalEvery = "10it" };
        var modelHp = new ModelHparams { Name = "lenet:32,16" };

        using var cohort = ModelRegistry.Create(modelHp, data.Train.ExampleShape, data.Train.NumClasses, members: 4);
        using var cohortMask = Mask.Dense(cohort.Layout);
        for (int k = 0; k < 4; k++) ModelInitializer.Apply(cohort, k, modelHp with { Init = schemes[k] }, seed: 3);
        // Prune member 2 a little, so masks differ between members.
        using (no_grad()) cohortMask.View(cohort.Layout["fc1.weight"], 2).narrow(0, 0, 5).zero_();
        for (int k = 0; k < 4; k++) PruneRandomly(cohortMask.View(cohort.Layout["fc1.weight"], k), fc1Density, k);
        using (no_grad()) cohort.Flat.mul_(cohortMask.Flat);
        var cohortResults = new Trainer(hp, data, seed: 3).Train(cohort, cohortMask);

        for (int k = 0; k < 4; k++)
        {
            using var solo = ModelRegistry.Create(modelHp, data.Train.ExampleShape, data.Train.NumClasses);
            using var soloMask = Mask.Dense(solo.Layout);
            ModelInitializer.Apply(solo, 0, modelHp with { Init = schemes[k] }, seed: 3);
            if (k == 2) using (no_grad()) soloMask.View(solo.Layout["fc1.weight"], 0).narrow(0, 0, 5).zero_();
            PruneRandomly(soloMask.View(solo.Layout["fc1.weight"], 0), fc1Density, k);
            using (no_grad()) solo.Flat.mul_(soloMask.Flat);
            var soloResult = new Trainer(hp, data, seed: 3).Train(solo, soloMask)[0];
            foreach (var p in solo.Layout.Parameters)
                Assert.True(solo.View(solo.Flat, p, 0).eq(cohort.View(cohort.Flat, cohort.Layout[p.Name], k)).all().item<bool>(), $"member {k} {p.Name}");
            Assert.Equal(soloResult.Metrics, cohortResults[k].Metrics);
        }
    }

    /// <summary>LeNet's own backward splits each product's rows between threads without changing any sum: its weights train bitwise the same on one thread and on two.</summary>
    [Theory]
    [InlineData(1.0)]
    [InlineData(0.1)]
    public void ALeNetTrainsBitwiseTheSameOnOneAndTwoThreads(double fc1Density)
    {
        using var data = TinyData.Create();
        AssertSameWeightsOnOneAndTwoThreads(data, new TrainingHparams { Lr = 3e-3, Batch = 30, Steps = "2ep", EvalEvery = "1000it" },
            new ModelHparams { Name = "lenet:48,30" }, members: 3,
            (model, mask) => { for (int k = 0; k < 3; k++) PruneRandomly(mask.View(model.Layout["fc1.weight"], k), fc1Density, k); });
    }

    /// <summary>
    /// ConvNet's own step splits each batch into two fixed halves whatever the thread count: a cohort of Conv-2s trains
    /// to bitwise the same weights on one thread and on two. (Its evaluation runs through libtorch, whose sums depend on
    /// the thread count, so only the weights are compared.)
    /// </summary>
    [Fact]
    public void AConvNetTrainsBitwiseTheSameOnOneAndTwoThreads()
    {
        using var tiny = TinyData.Create(train: 120, val: 40, test: 40);
        static Dataset Upsampled(Dataset d) => new(d.Images.repeat_interleave(2, 2).repeat_interleave(2, 3).contiguous(), d.Labels.clone(), d.NumClasses);
        using var data = new DatasetSplits(Upsampled(tiny.Train), Upsampled(tiny.Validation), Upsampled(tiny.Test));   // 8 × 8: Conv-2's smallest
        AssertSameWeightsOnOneAndTwoThreads(data, new TrainingHparams { Lr = 1e-3, Batch = 30, Steps = "2ep", EvalEvery = "1000it" },
            new ModelHparams { Name = "conv2" }, members: 2, prune: null);
    }

    /// <summary>Trains the same cohort (seeds 4, 5, …; <paramref name="prune"/> then masks it) at 1 and at 2 threads and asserts bitwise equal weights.</summary>
    private static void AssertSameWeightsOnOneAndTwoThreads(DatasetSplits data, TrainingHparams hp, ModelHparams modelHp, int members, Action<IModel, Mask>? prune)
    {
        int before = get_num_threads();
        var flats = new List<Tensor>();
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                set_num_threads(threads);
                using var model = ModelRegistry.Create(modelHp, data.Train.ExampleShape, data.Train.NumClasses, members);
                using var mask = Mask.Dense(model.Layout);
                for (int k = 0; k < members; k++) ModelInitializer.Apply(model, k, modelHp, seed: 4 + k);
                prune?.Invoke(model, mask);
                using (no_grad()) model.Flat.mul_(mask.Flat);
                new Trainer(hp, data, seed: 3).Train(model, mask);
                flats.Add(model.Flat.clone());
            }
            Assert.True(flats[0].eq(flats[1]).all().item<bool>(), $"weights differ at {flats[0].ne(flats[1]).sum().item<long>()} positions");
        }
        finally
        {
            set_num_threads(before);
            foreach (var f in flats) f.Dispose();
        }
    }

    private static void PruneRandomly(Tensor mask, double density, int member)
    {
        if (density >= 1) return;
        using var gen = new Generator(100 + (ulong)member);
        using var _ = no_grad();
        using var keep = rand(mask.shape, generator: gen).lt(density).to(ScalarType.Float32);
        mask.mul_(keep);
    }
}
