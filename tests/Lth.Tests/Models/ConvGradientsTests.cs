using Lth.Models;
using Lth.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Lth.Tests.Models;

/// <summary>
/// ConvNet's training step without autograd (<c>ConvGradients</c>: im2col products, max pooling and the
/// fully-connected head) against autograd's: the same losses and gradients to float rounding for Conv-2 and Conv-4,
/// one or three channels, square or not, odd sizes that pooling floors, cohorts; its forward pass for evaluation
/// against libtorch's; and bitwise the same for a member alone or in a cohort, at one thread or two.
/// </summary>
[Collection(ThreadsCollection.Name)]
public class ConvGradientsTests
{
    public static TheoryData<string, int, int, long[]> Cases => new()
    {
        { "conv2", 1, 7, [1, 8, 8] },
        { "conv2", 2, 5, [3, 9, 12] },     // odd height: the pool floors it
        { "conv4", 2, 3, [1, 10, 10] },    // conv3 sees 5 × 5, the last pool 2 × 2
        { "conv2", 1, 1, [1, 8, 8] },      // one image: the second half of the batch is empty
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheStepWithoutAutogradGivesAutogradsLossesAndGradients(string name, int members, int batch, long[] example)
    {
        var hp = new ModelHparams { Name = name, Init = "kaiming-normal" };
        var gen = new Generator(3);
        // The batch is rows 2 .. 2 + batch of a shuffled pool, as the trainer passes an epoch's order.
        using var pool = randn([batch + 4, .. example], generator: gen);
        using var poolLabels = randint(0, 10, [batch + 4], generator: gen);
        using var order = randperm(batch + 4, generator: gen);
        using var rows = order.narrow(0, 2, batch);
        using var x = pool.index_select(0, rows);
        using var y = poolLabels.index_select(0, rows);
        var results = new List<(Tensor Loss, Tensor Grad)>();
        foreach (bool manual in new[] { false, true })
        {
            using var model = (FlatModel)ModelRegistry.Create(hp, example, 10, members);
            for (int k = 0; k < members; k++) ModelInitializer.Apply(model, k, hp, seed: 5 + k);
            model.ManualGradients = manual;
            var own = model.TrainingStep(new BatchRows(pool, poolLabels, order, 2, batch));
            Assert.Equal(manual && FcGradients.Supported, own is not null);   // without AVX-512 ConvNet trains through autograd
            Tensor loss;
            if (own is not null) loss = tensor(own);
            else
            {
                using var logits = model.Forward(x);
                loss = nn.functional.cross_entropy(logits.reshape(members * batch, 10), y.repeat(members), reduction: nn.Reduction.None)
                         .view(members, batch).mean([1]);
                loss.sum().backward();
            }
            results.Add((loss.detach().clone(), model.FlatGrad.clone()));
        }
        Assert.Equal(new long[] { members }, results[1].Loss.shape);
        TensorAssert.Close(results[0].Loss, results[1].Loss, 1e-6, "losses");
        // Parameter by parameter, so that a small layer's error is not hidden by a large one's scale.
        using var layoutModel = ModelRegistry.Create(hp, example, 10, members);
        foreach (var p in layoutModel.Layout.Parameters)
            for (int k = 0; k < members; k++)
                TensorAssert.Close(layoutModel.View(results[0].Grad, p, k), layoutModel.View(results[1].Grad, p, k), 1e-5, $"{p.Name} of member {k}");
    }

    [Theory]
    [InlineData("conv2", 2, 7, new long[] { 1, 8, 8 })]
    [InlineData("conv4", 1, 3, new long[] { 3, 10, 12 })]
    public void EvaluationLogitsMatchLibtorchsForward(string name, int members, int batch, long[] example)
    {
        var hp = new ModelHparams { Name = name, Init = "kaiming-normal" };
        using var x = randn([batch, .. example], generator: new Generator(6));
        using var model = (ConvNet)ModelRegistry.Create(hp, example, 10, members);
        for (int k = 0; k < members; k++) ModelInitializer.Apply(model, k, hp, seed: 9 + k);
        model.Training = false;
        using var _ = no_grad();
        model.ManualGradients = false;
        Assert.False(model.OwnForwardApplies(x));
        using var reference = model.Forward(x);
        model.ManualGradients = true;
        Assert.Equal(FcGradients.Supported, model.OwnForwardApplies(x));
        using var own = model.Forward(x);
        Assert.Equal(reference.shape, own.shape);
        TensorAssert.Close(reference, own, 1e-5, "logits");
        model.Training = true;
        Assert.False(model.OwnForwardApplies(x));   // training builds autograd's graph
    }

    [Fact]
    public void AMemberIsBitwiseTheSameAloneInACohortAndOnTwoThreads()
    {
        var hp = new ModelHparams { Name = "conv2", Init = "kaiming-uniform" };
        long[] example = [1, 28, 28];
        var gen = new Generator(8);
        using var x = rand([60, .. example], generator: gen);
        using var y = randint(0, 10, [60], generator: gen);
        int before = get_num_threads();
        try
        {
            var grads = new List<float[]>();
            var losses = new List<float>();
            var evalLogits = new List<float[]>();
            foreach (var (members, threads) in new[] { (1, 1), (3, 1), (3, 2), (1, 2) })
            {
                set_num_threads(threads);
                using var model = (FlatModel)ModelRegistry.Create(hp, example, 10, members);
                for (int k = 0; k < members; k++) ModelInitializer.Apply(model, k, hp, seed: 7 + k);   // member 0 is the solo run
                var own = model.TrainingStep(new BatchRows(x, y, null, 0, 60));
                Assert.Equal(FcGradients.Supported, own is not null);
                if (own is null) return;   // no AVX-512 here: ConvNet trains through autograd
                losses.Add(own[0]);
                model.Training = false;
                using (no_grad())
                using (var logits = model.Forward(x)) evalLogits.Add(logits[0].data<float>().ToArray());
                model.Training = true;
                var g = new List<float>();
                foreach (var p in model.Layout.Parameters) g.AddRange(model.View(model.FlatGrad, p, 0).data<float>().ToArray());
                grads.Add(g.ToArray());
            }
            for (int i = 1; i < grads.Count; i++)
            {
                Assert.Equal(losses[0], losses[i]);
                Assert.Equal(grads[0], grads[i]);
                Assert.Equal(evalLogits[0], evalLogits[i]);   // evaluation too (after the step: the trained weights)
            }
        }
        finally { set_num_threads(before); }
    }
}
