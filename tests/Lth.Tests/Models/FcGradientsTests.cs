using Lth.Models;
using Lth.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Lth.Tests.Models;

/// <summary>
/// LeNet's training step without autograd (<c>FcGradients</c> on <c>DenseKernels</c> and <c>SparseLinear</c>) against
/// autograd's: the same losses and gradients to float rounding, for dense and pruned layers, cohorts, any batch
/// and width; and bitwise the same for a member alone or in a cohort, at one thread or two.
/// </summary>
[Collection(ThreadsCollection.Name)]
public class FcGradientsTests
{
    public static TheoryData<int, double, string, string, bool, int, long[]> Cases => new()
    {
        { 1, 1.0, "lenet:300,100", "relu", true, 60, [1, 28, 28] },
        { 3, 1.0, "lenet:300,100", "relu", true, 60, [1, 28, 28] },
        { 2, 0.3, "lenet:300,100", "relu", true, 60, [1, 28, 28] },    // sparse forward, dense gradients
        { 3, 0.1, "lenet:300,100", "relu", true, 60, [1, 28, 28] },    // sparse forward and gradients
        { 2, 0.6, "lenet:20,13", "leaky-relu:0.1", false, 37, [3, 5, 5] },   // odd batch, widths and input (75 features)
        { 1, 1.0, "lenet:7", "relu", true, 1, [2, 3, 3] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheStepWithoutAutogradGivesAutogradsLossesAndGradients(int members, double density, string name, string activation, bool bias, int batch, long[] example)
    {
        var hp = new ModelHparams { Name = name, Activation = activation, Bias = bias, Init = "kaiming-normal" };
        var gen = new Generator(11);
        // The batch is rows 3 .. 3 + batch of a shuffled pool, as the trainer passes an epoch's order.
        using var pool = rand([batch + 5, .. example], generator: gen);
        using var poolLabels = randint(0, 10, [batch + 5], generator: gen);
        using var order = randperm(batch + 5, generator: gen);
        using var rows = order.narrow(0, 3, batch);
        using var x = pool.index_select(0, rows);
        using var y = poolLabels.index_select(0, rows);
        var results = new List<(Tensor Loss, Tensor Grad)>();
        foreach (bool manual in new[] { false, true })
        {
            using var model = (LeNet)ModelRegistry.Create(hp, example, 10, members);
            for (int k = 0; k < members; k++) ModelInitializer.Apply(model, k, hp, seed: 2 + k);
            using var maskFlat = rand(model.Layout.TotalSize, generator: new Generator(5)).lt(density).to(ScalarType.Float32);
            var mask = new Lth.Pruning.Mask(model.Layout, maskFlat);
            using (no_grad()) model.Flat.mul_(mask.Flat);
            model.ManualGradients = manual;
            model.UseMask(mask);
            var own = model.TrainingStep(new BatchRows(pool, poolLabels, order, 3, batch));
            Assert.Equal(manual && FcGradients.Supported, own is not null);   // without AVX-512 LeNet trains through autograd
            Tensor loss;
            if (own is not null) loss = tensor(own);
            else
            {
                using var logits = model.Forward(x);
                loss = nn.functional.cross_entropy(logits.reshape(members * batch, 10), y.repeat(members), reduction: nn.Reduction.None)
                         .view(members, batch).mean([1]);
                loss.sum().backward();
                model.AfterBackward();
            }
            using (no_grad()) model.FlatGrad.mul_(mask.Flat);   // pruned weights' gradients are never used
            results.Add((loss.detach().clone(), model.FlatGrad.clone()));
            model.UseMask(null);
        }
        Assert.Equal(new long[] { members }, results[1].Loss.shape);
        TensorAssert.Close(results[0].Loss, results[1].Loss, 1e-6, "losses");
        TensorAssert.Close(results[0].Grad, results[1].Grad, 1e-5, "flat gradient");
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.1)]
    public void AMemberIsBitwiseTheSameAloneInACohortAndOnTwoThreads(double density)
    {
        var hp = new ModelHparams { Name = "lenet:300,100", Init = "kaiming-uniform" };
        var gen = new Generator(4);
        using var x = rand(60, 1, 28, 28, generator: gen);
        using var y = randint(0, 10, [60], generator: gen);
        int before = get_num_threads();
        try
        {
            var grads = new List<float[]>();
            foreach (var (members, threads) in new[] { (1, 1), (3, 1), (3, 2), (1, 2) })
            {
                set_num_threads(threads);
                using var model = (LeNet)ModelRegistry.Create(hp, [1, 28, 28], 10, members);
                for (int k = 0; k < members; k++) ModelInitializer.Apply(model, k, hp, seed: 7 + k);   // member 0 is the solo run
                using var maskFlat = rand(model.Layout.TotalSize, generator: new Generator(1)).lt(density).to(ScalarType.Float32);
                var mask = new Lth.Pruning.Mask(model.Layout, maskFlat);
                // Member 0 gets the solo run's mask: the first member's blocks of every parameter.
                var solo = (LeNet)ModelRegistry.Create(hp, [1, 28, 28], 10, 1);
                using var soloMask = rand(solo.Layout.TotalSize, generator: new Generator(1)).lt(density).to(ScalarType.Float32);
                foreach (var p in model.Layout.Parameters)
                    mask.Flat.narrow(0, p.Offset, p.Numel).copy_(soloMask.narrow(0, solo.Layout[p.Name].Offset, p.Numel));
                solo.Dispose();
                using (no_grad()) model.Flat.mul_(mask.Flat);
                model.UseMask(mask);
                var own = model.TrainingStep(new BatchRows(x, y, null, 0, 60));
                Assert.Equal(FcGradients.Supported, own is not null);
                if (own is null) return;   // no AVX-512 here: LeNet trains through autograd (CohortEqualityTests)
                var g = new List<float>();
                foreach (var p in model.Layout.Parameters) g.AddRange(model.View(model.FlatGrad, p, 0).mul(model.View(mask.Flat, p, 0)).data<float>().ToArray());
                grads.Add(g.ToArray());
                model.UseMask(null);
            }
            for (int i = 1; i < grads.Count; i++) Assert.Equal(grads[0], grads[i]);
        }
        finally { set_num_threads(before); }
    }
}
