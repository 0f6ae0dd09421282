using Lth.Experiments;
using Lth.Models;
using Lth.Tests.Support;
using static TorchSharp.torch;

namespace Lth.Tests.Models;

/// <summary>
/// LeNet's flat, cohort-native forward (feature-major batched matmuls into one flat gradient) against
/// the plain per-tensor path a PyTorch user writes: <c>F.linear</c> on separate weight tensors.
/// </summary>
public class LeNetTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void LogitsAndGradientsMatchPlainPerTensorLinearLayers(int members)
    {
        var hp = new ModelHparams { Name = "lenet:300,100", Init = "kaiming-uniform" };
        using var model = ModelRegistry.Create(hp, [1, 28, 28], 10, members);
        for (int k = 0; k < members; k++) ModelInitializer.Apply(model, k, hp, seed: 5 + k);
        var gen = new Generator(3);
        using var x = rand(60, 1, 28, 28, generator: gen);
        using var y = randint(0, 10, [60], generator: gen);

        using var logits = model.Forward(x);
        using (var loss = nn.functional.cross_entropy(logits.reshape(members * 60, 10), y.repeat(members), reduction: nn.Reduction.Sum))
            loss.backward();

        string[] layers = ["fc1", "fc2", "fc3"];
        for (int k = 0; k < members; k++)
        {
            using var scope = NewDisposeScope();
            var ws = layers.Select(l => model.Parameter(l + ".weight")[k].detach().clone().requires_grad_(true)).ToArray();
            var bs = layers.Select(l => model.Parameter(l + ".bias")[k].detach().clone().requires_grad_(true)).ToArray();
            var h = x.reshape(60, 784);
            for (int i = 0; i < 3; i++)
            {
                h = nn.functional.linear(h, ws[i], bs[i]);
                if (i < 2) h = nn.functional.relu(h);
            }
            nn.functional.cross_entropy(h, y, reduction: nn.Reduction.Sum).backward();

            TensorAssert.Close(h, logits[k], 1e-6, $"member {k} logits");
            for (int i = 0; i < 3; i++)
            {
                var info = model.Layout[layers[i] + ".weight"];
                TensorAssert.Close(ws[i].grad!, model.View(model.FlatGrad, info, k), 1e-6, $"member {k} {layers[i]}.weight grad");
                TensorAssert.Close(bs[i].grad!, model.View(model.FlatGrad, model.Layout[layers[i] + ".bias"], k), 1e-6, $"member {k} {layers[i]}.bias grad");
            }
        }
    }

    [Theory]
    [InlineData(1, 0.1)]
    [InlineData(3, 0.1)]
    [InlineData(2, 0.3)]   // sparse forward, dense gradients
    public void SparseLayersGiveTheDenseLogitsAndGradients(int members, double density)
    {
        var hp = new ModelHparams { Name = "lenet:300,100", Init = "kaiming-normal" };
        var gen = new Generator(9);
        using var x = rand(60, 1, 28, 28, generator: gen);
        using var y = randint(0, 10, [60], generator: gen);
        using var maskFlat = rand(300_000L * members, generator: gen).lt(density).to(ScalarType.Float32);
        var results = new List<(Tensor Logits, Tensor Grad)>();
        foreach (bool allow in new[] { false, true })
        {
            using var model = (LeNet)ModelRegistry.Create(hp, [1, 28, 28], 10, members);
            for (int k = 0; k < members; k++) ModelInitializer.Apply(model, k, hp, seed: 2 + k);
            var mask = new Lth.Pruning.Mask(model.Layout, maskFlat.narrow(0, 0, model.Layout.TotalSize));
            using (no_grad()) model.Flat.mul_(mask.Flat);
            model.AllowSparse = allow;
            model.UseMask(mask);
            Assert.Equal(allow ? 2 : 0, model.SparseLayers);   // fc1 and fc2; the output layer stays dense
            var logits = model.Forward(x);
            nn.functional.cross_entropy(logits.reshape(members * 60, 10), y.repeat(members)).backward();
            model.AfterBackward();
            using (no_grad()) model.FlatGrad.mul_(mask.Flat);           // pruned weights' gradients are never used
            results.Add((logits.detach().clone(), model.FlatGrad.clone()));
            model.UseMask(null);
            Assert.False(model.IsSparse);
        }
        TensorAssert.Close(results[0].Logits, results[1].Logits, 1e-6, "logits");
        TensorAssert.Close(results[0].Grad, results[1].Grad, 1e-6, "flat gradient");
    }
}
