using Lth.Experiments;
using Lth.Models;
using Lth.Pruning;
using static TorchSharp.torch;

namespace Lth.Tests.Pruning;

/// <summary>
/// SNIP, GraSP, SynFlow and magnitude-init: each score against a hand (double-precision) computation on a
/// two-layer net, SynFlow's conservation and its avoidance of layer collapse, cohort = solo bitwise, the model left
/// untouched, and the hparams rules.
/// </summary>
public class PruningAtInitTests
{
    // ---- The tiny net: lenet:3 on a 1×2×2 input, 2 classes: h = relu(W1 x + b1) (W1 3×4), logits = W2 h + b2 (W2 2×3). ----

    private const int In = 4, Hid = 3, Out = 2, N = 20;

    private sealed record Net(double[,] W1, double[] B1, double[,] W2, double[] B2);

    private static IModel TinyModel(out Net net, bool bias = true, ulong seed = 5)
    {
        var model = ModelRegistry.Create(new ModelHparams { Name = "lenet:3", Init = "kaiming-normal", Bias = bias }, [1, 2, 2], 2);
        using var g = new Generator(seed);
        using (no_grad()) foreach (var p in model.Layout.Parameters) model.View(model.Flat, p, 0).normal_(0, 0.8, g);
        double[,] M(string name, int r, int c)
        {
            var v = model.View(model.Flat, model.Layout[name], 0).flatten().data<float>().ToArray();
            var a = new double[r, c];
            for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) a[i, j] = v[i * c + j];
            return a;
        }
        double[] V(string name, int n) => bias ? model.View(model.Flat, model.Layout[name], 0).data<float>().Select(x => (double)x).ToArray() : new double[n];
        net = new Net(M("fc1.weight", Hid, In), V("fc1.bias", Hid), M("fc2.weight", Out, Hid), V("fc2.bias", Out));
        return model;
    }

    /// <summary>A fixed batch of 20 examples, labels alternating 0, 1 (10 of each class).</summary>
    private static (Tensor X, Tensor Y, double[][] Xs, int[] Ys) TinyBatch()
    {
        using var g = new Generator(11);
        var x = empty(N, 1, 2, 2).normal_(0, 1, g);
        var y = tensor(Enumerable.Range(0, N).Select(i => (long)(i % 2)).ToArray());
        var flat = x.reshape(N, In).data<float>().ToArray();
        var xs = Enumerable.Range(0, N).Select(i => Enumerable.Range(0, In).Select(j => (double)flat[i * In + j]).ToArray()).ToArray();
        return (x, y, xs, Enumerable.Range(0, N).Select(i => i % 2).ToArray());
    }

    private static BatchSource Fixed(Tensor x, Tensor y) => count =>
    {
        Assert.Equal(N, count);   // 10 × classes
        return (x.clone(), y.clone());
    };

    /// <summary>The gradient of the mean cross-entropy with respect to W1, b1, W2, b2, by hand in double precision.</summary>
    /// <summary>The hand gradient of the mean cross-entropy of the logits divided by <paramref name="temperature"/>.</summary>
    private static Net Gradient(Net n, double[][] xs, int[] ys, double temperature = 1)
    {
        var gW1 = new double[Hid, In]; var gb1 = new double[Hid]; var gW2 = new double[Out, Hid]; var gb2 = new double[Out];
        for (int s = 0; s < xs.Length; s++)
        {
            var pre = new double[Hid]; var h = new double[Hid];
            for (int k = 0; k < Hid; k++)
            {
                pre[k] = n.B1[k];
                for (int i = 0; i < In; i++) pre[k] += n.W1[k, i] * xs[s][i];
                h[k] = Math.Max(0, pre[k]);
            }
            var z = new double[Out];
            for (int j = 0; j < Out; j++) { z[j] = n.B2[j]; for (int k = 0; k < Hid; k++) z[j] += n.W2[j, k] * h[k]; z[j] /= temperature; }
            double max = z.Max(), sum = z.Sum(v => Math.Exp(v - max));
            var dz = z.Select((v, j) => (Math.Exp(v - max) / sum - (j == ys[s] ? 1 : 0)) / (xs.Length * temperature)).ToArray();
            for (int j = 0; j < Out; j++) { gb2[j] += dz[j]; for (int k = 0; k < Hid; k++) gW2[j, k] += dz[j] * h[k]; }
            for (int k = 0; k < Hid; k++)
            {
                if (pre[k] <= 0) continue;
                double dh = 0;
                for (int j = 0; j < Out; j++) dh += n.W2[j, k] * dz[j];
                gb1[k] += dh;
                for (int i = 0; i < In; i++) gW1[k, i] += dh * xs[s][i];
            }
        }
        return new Net(gW1, gb1, gW2, gb2);
    }

    /// <summary>Same shape and equal elements (masks and restored weights are compared exactly).</summary>
    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    private static double[] Flat(double[,] a) => a.Cast<double>().ToArray();

    private static float[] ScoresOf(IModel model, Tensor scores, string name) =>
        model.View(scores, model.Layout[name], 0).flatten().data<float>().ToArray();

    private static void Close(double[] expected, float[] actual, double rel, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= rel * scale + 1e-7, $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }

    private static PruningContext Context(IModel model, Mask mask, PruningHparams hp, BatchSource? batches, Generator rng) =>
        new(model, mask, hp, Level: 1, Member: 0, rng, batches);

    [Fact]
    public void SnipScoresAreGradientTimesWeightOnOneBatchOfTenPerClass()
    {
        using var model = TinyModel(out var net);
        var (x, y, xs, ys) = TinyBatch();
        using var dense = Mask.Dense(model.Layout);
        using var rng = new Generator(0);
        var hp = new PruningHparams { PruneBiases = true, Rate = 0.5, RateOutput = 0.5 };
        using var scores = new SnipPruning().Scores(Context(model, dense, hp, Fixed(x, y), rng));
        var g = Gradient(net, xs, ys);
        Close(Flat(g.W1).Zip(Flat(net.W1), (a, b) => Math.Abs(a * b)).ToArray(), ScoresOf(model, scores, "fc1.weight"), 1e-5, "fc1.weight");
        Close(Flat(g.W2).Zip(Flat(net.W2), (a, b) => Math.Abs(a * b)).ToArray(), ScoresOf(model, scores, "fc2.weight"), 1e-5, "fc2.weight");
        Close(g.B1.Zip(net.B1, (a, b) => Math.Abs(a * b)).ToArray(), ScoresOf(model, scores, "fc1.bias"), 1e-5, "fc1.bias");

        // The mask keeps the highest |g·w| of each tensor: ceil(0.5 · 12) = 6 of fc1.weight removed.
        using var mask = new SnipPruning().Prune(Context(model, dense, hp, Fixed(x, y), rng));
        var s = Flat(g.W1).Zip(Flat(net.W1), (a, b) => Math.Abs(a * b)).ToArray();
        var alive = mask.View(model.Layout["fc1.weight"], 0).flatten().data<float>().ToArray();
        Assert.Equal(6, alive.Count(a => a > 0));
        Assert.True(s.Where((_, i) => alive[i] == 0).Max() <= s.Where((_, i) => alive[i] > 0).Min());
    }

    [Fact]
    public void MagnitudeInitScoresAreAbsoluteWeights()
    {
        using var model = TinyModel(out var net);
        using var dense = Mask.Dense(model.Layout);
        using var rng = new Generator(0);
        var entry = PruningStrategies.Get("magnitude-init");
        using var scores = ((ScorePruning)entry.Create()).Scores(Context(model, dense, new PruningHparams(), null, rng));
        Close(Flat(net.W1).Select(Math.Abs).ToArray(), ScoresOf(model, scores, "fc1.weight"), 0, "fc1.weight");
        Close(Flat(net.W2).Select(Math.Abs).ToArray(), ScoresOf(model, scores, "fc2.weight"), 0, "fc2.weight");
    }

    [Theory, InlineData(1.0), InlineData(0.25), InlineData(200.0)]
    public void GraspScoresAreWeightTimesHessianGradientByFiniteDifferencesAndTheLargestMinusWHgIsRemoved(double temperature)
    {
        using var model = TinyModel(out var net);
        var (x, y, xs, ys) = TinyBatch();
        // θ = the two weight tensors (biases are not pruned); the loss is on logits / T.
        var hp = new PruningHparams { Rate = 0.5, RateOutput = 0.5, GraspTemperature = temperature };
        using var dense = Mask.Dense(model.Layout);
        using var rng = new Generator(0);
        using var scores = new GraspPruning().Scores(Context(model, dense, hp, Fixed(x, y), rng));

        // H g by central differences of the hand gradient along g (restricted to θ, the weights): (∇L(w + εg) − ∇L(w − εg)) / 2ε.
        var g = Gradient(net, xs, ys, temperature);
        double eps = 1e-6 * temperature;
        Net Shift(double sign)
        {
            var w1 = (double[,])net.W1.Clone(); var w2 = (double[,])net.W2.Clone();
            for (int k = 0; k < Hid; k++) for (int i = 0; i < In; i++) w1[k, i] += sign * eps * g.W1[k, i];
            for (int j = 0; j < Out; j++) for (int k = 0; k < Hid; k++) w2[j, k] += sign * eps * g.W2[j, k];
            return Gradient(net with { W1 = w1, W2 = w2 }, xs, ys, temperature);
        }
        Net plus = Shift(1), minus = Shift(-1);
        var hg1 = Flat(plus.W1).Zip(Flat(minus.W1), (a, b) => (a - b) / (2 * eps)).ToArray();
        var hg2 = Flat(plus.W2).Zip(Flat(minus.W2), (a, b) => (a - b) / (2 * eps)).ToArray();
        double scale = hg1.Concat(hg2).Max(Math.Abs);
        Assert.True(scale > 1e-4 / (temperature * temperature * temperature), $"a non-trivial H g ({scale})");
        var s1 = Flat(net.W1).Zip(hg1, (w, h) => w * h).ToArray();
        var s2 = Flat(net.W2).Zip(hg2, (w, h) => w * h).ToArray();
        // Compared in units of the largest score (with T = 200 every score is ~T⁻³ smaller).
        double unit = s1.Concat(s2).Max(Math.Abs);
        float[] Scaled(string name) => ScoresOf(model, scores, name).Select(v => (float)(v / unit)).ToArray();
        Close(s1.Select(v => v / unit).ToArray(), Scaled("fc1.weight"), 1e-3, "fc1.weight w·Hg");
        Close(s2.Select(v => v / unit).ToArray(), Scaled("fc2.weight"), 1e-3, "fc2.weight w·Hg");

        // GraSP removes the largest S = −w ⊙ Hg: every removed entry has S ≥ every kept one's.
        using var mask = new GraspPruning().Prune(Context(model, dense, hp, Fixed(x, y), rng));
        var alive = mask.View(model.Layout["fc1.weight"], 0).flatten().data<float>().ToArray();
        Assert.Equal(6, alive.Count(a => a > 0));
        var S = s1.Select(v => -v).ToArray();
        Assert.True(S.Where((_, i) => alive[i] == 0).Min() >= S.Where((_, i) => alive[i] > 0).Max());
    }

    [Fact]
    public void GraspSampleHasTenExamplesPerClass()
    {
        using var g = new Generator(3);
        int draws = 0;
        BatchSource skewed = count =>
        {
            draws++;
            Assert.Equal(30, count);                                                    // 10 × 3 classes
            var labels = randint(0, 10, [count], generator: g).clamp_max(2);            // class 2 is 80% of the data
            return (labels.to_type(ScalarType.Float32).view(count, 1, 1, 1).clone(), labels);
        };
        var (x, y) = GraspPruning.Sample(skewed, 3, 10);
        Assert.True(draws > 1);
        Assert.Equal(30, y.shape[0]);
        for (int c = 0; c < 3; c++) Assert.Equal(10, y.eq(c).sum().item<long>());
        Assert.True(Same(x.view(-1).to_type(ScalarType.Int64), y));                     // images travel with their labels
    }

    [Fact]
    public void SynflowScoresAreThoseOfTheAbsoluteNetworkOnAnAllOnesInput()
    {
        using var model = TinyModel(out var net);
        using var dense = Mask.Dense(model.Layout);
        using var rng = new Generator(0);
        using var scores = new SynflowPruning().Scores(Context(model, dense, new PruningHparams { PruneBiases = true }, null, rng));
        // h = |W1|·1 + |b1|; R = Σ (|W2| h + |b2|): ∂R/∂W1[k,i] = Σ_j |W2[j,k]|, ∂R/∂W2[j,k] = h_k, ∂R/∂b1[k] = Σ_j |W2[j,k]|.
        var col = Enumerable.Range(0, Hid).Select(k => Enumerable.Range(0, Out).Sum(j => Math.Abs(net.W2[j, k]))).ToArray();
        var h = Enumerable.Range(0, Hid).Select(k => Enumerable.Range(0, In).Sum(i => Math.Abs(net.W1[k, i])) + Math.Abs(net.B1[k])).ToArray();
        var s1 = new double[Hid * In]; var s2 = new double[Out * Hid];
        for (int k = 0; k < Hid; k++) for (int i = 0; i < In; i++) s1[k * In + i] = Math.Abs(net.W1[k, i]) * col[k];
        for (int j = 0; j < Out; j++) for (int k = 0; k < Hid; k++) s2[j * Hid + k] = Math.Abs(net.W2[j, k]) * h[k];
        Close(s1, ScoresOf(model, scores, "fc1.weight"), 1e-6, "fc1.weight");
        Close(s2, ScoresOf(model, scores, "fc2.weight"), 1e-6, "fc2.weight");
        Close(net.B1.Select((b, k) => Math.Abs(b) * col[k]).ToArray(), ScoresOf(model, scores, "fc1.bias"), 1e-6, "fc1.bias");
        Close(net.B2.Select(Math.Abs).ToArray(), ScoresOf(model, scores, "fc2.bias"), 1e-6, "fc2.bias");
    }

    [Fact]
    public void SynflowConservesTheScoreAcrossLayersOfABiasFreeNetwork()
    {
        using var model = ModelRegistry.Create(new ModelHparams { Name = "lenet:12,7,5", Bias = false }, [1, 3, 3], 3);
        using var g = new Generator(9);
        using (no_grad()) model.Flat.normal_(0, 0.5, g);
        using var dense = Mask.Dense(model.Layout);
        using var rng = new Generator(0);
        using var scores = new SynflowPruning().Scores(Context(model, dense, new PruningHparams(), null, rng));
        var sums = model.Layout.Parameters.Select(p => model.View(scores, p, 0).sum().item<float>()).ToArray();
        Assert.Equal(4, sums.Length);
        // Each layer's summed score is R itself (Tanaka et al. 2020, theorem 2): R = the sum of the linearized network's logits.
        foreach (var s in sums) Assert.Equal(1.0, s / sums[0], 4);
        float r;
        using (no_grad())
        {
            using var abs = ModelRegistry.Create(new ModelHparams { Name = "lenet:12,7,5", Bias = false }, [1, 3, 3], 3);
            abs.Flat.copy_(model.Flat.abs());
            r = abs.Forward(ones(1, 1, 3, 3)).sum().item<float>();
        }
        Assert.Equal(1.0, sums[0] / r, 4);
    }

    /// <summary>
    /// Global pruning of a net whose middle layer is 100× smaller than the others (an init that scales one layer
    /// down): one-shot global magnitude pruning to 25% empties that layer, iterative SynFlow keeps every layer
    /// connected, even at 2% of the hidden weights, and lands on exactly magnitude's survivor counts.
    /// </summary>
    [Fact]
    public void IterativeSynflowDoesNotCollapseALayerWhereGlobalMagnitudePruningDoes()
    {
        using var model = ModelRegistry.Create(new ModelHparams { Name = "lenet:40,40" }, [1, 4, 4], 4);
        using var g = new Generator(4);
        using (no_grad())
        {
            model.Flat.normal_(0, 0.3, g);
            model.Parameter("fc2.weight").mul_(0.01);
        }
        using var dense = Mask.Dense(model.Layout);
        string[] hidden = ["fc1.weight", "fc2.weight"];
        foreach (var rate in new[] { 0.75, 0.98 })
        {
            var hp = new PruningHparams { Scope = PruneScope.Global, Rate = rate, RateOutput = 0.5 };
            using var rng = new Generator(0);
            using var magnitude = new MagnitudePruning().Prune(Context(model, dense, hp, null, rng));
            Assert.Equal(0, magnitude.Alive(model.Layout["fc2.weight"], 0));   // layer collapse
            using var synflow = new SynflowPruning().Prune(Context(model, dense, hp with { SynflowRounds = 100 }, null, rng));
            foreach (var name in hidden.Append("fc3.weight"))
                Assert.True(synflow.Alive(model.Layout[name], 0) > 0, $"rate {rate}: synflow emptied {name}");
            Assert.Equal(hidden.Sum(n => magnitude.Alive(model.Layout[n], 0)), hidden.Sum(n => synflow.Alive(model.Layout[n], 0)));
            Assert.Equal(magnitude.Alive(model.Layout["fc3.weight"], 0), synflow.Alive(model.Layout["fc3.weight"], 0));
        }
    }

    [Fact]
    public void IterativeSynflowLandsOnTheOneShotCountsLayerwiseAndFromAPrunedMask()
    {
        using var model = ModelRegistry.Create(new ModelHparams { Name = "lenet:20,10" }, [1, 3, 3], 4);
        using var g = new Generator(8);
        using (no_grad()) model.Flat.normal_(0, 1, g);
        using var dense = Mask.Dense(model.Layout);
        using var rng = new Generator(0);
        var hp = new PruningHparams { Rate = 0.8, RateOutput = 0.3, PruneBiases = true };
        using var first = new MagnitudePruning().Prune(Context(model, dense, hp, null, rng));
        foreach (var rounds in new[] { 1, 7, 100 })
        {
            using var magnitude = new MagnitudePruning().Prune(Context(model, first, hp, null, rng));
            using var synflow = new SynflowPruning().Prune(Context(model, first, hp with { SynflowRounds = rounds }, null, rng));
            foreach (var p in model.Layout.Parameters)
                Assert.Equal(magnitude.Alive(p, 0), synflow.Alive(p, 0));
            // Pruned stays pruned.
            Assert.Equal(0, synflow.Flat.mul(first.Flat.eq(0)).sum().item<float>());
        }
        // The schedule: round r of R keeps A − ceil(A·(1 − (1 − p)^(r/R))), the last exactly A − ceil(p·A).
        Assert.Equal(200 - 160, ScorePruning.KeepCount(200, 0.8, 100, 100));
        Assert.Equal(200 - (long)Math.Ceiling(200 * (1 - Math.Pow(0.2, 0.5))), ScorePruning.KeepCount(200, 0.8, 50, 100));
        Assert.True(Enumerable.Range(1, 100).Select(r => ScorePruning.KeepCount(200, 0.8, r, 100)).Zip(
                    Enumerable.Range(2, 99).Select(r => ScorePruning.KeepCount(200, 0.8, r, 100)), (a, b) => a >= b).All(b => b));
    }

    public static TheoryData<string> Strategies => new() { "snip", "grasp", "synflow", "magnitude-init" };

    /// <summary>Batches drawn from a generator seeded anew for each run, so that a cohort and a solo run see the same data.</summary>
    private static BatchSource Random(Generator g, int classes, long[] shape) => count =>
        (empty([count, .. shape]).normal_(0, 1, g), randint(0, classes, [count], generator: g));

    [Theory]
    [MemberData(nameof(Strategies))]
    public void ACohortOfThreeComputesTheMasksOfThreeSoloRunsBitwise(string name)
    {
        long[] shape = [1, 3, 3];
        var mh = new ModelHparams { Name = "lenet:20,10" };
        using var cohort = ModelRegistry.Create(mh, shape, 4, members: 3);
        using (no_grad())
        {
            using var g = new Generator(21);
            foreach (var p in cohort.Layout.Parameters)
            {
                cohort.View(cohort.Flat, p, 0).normal_(0, 1, g);                 // three different inits
                cohort.View(cohort.Flat, p, 1).uniform_(-0.5, 0.5, g);
                cohort.View(cohort.Flat, p, 2).normal_(0, 0.1, g);
            }
        }
        foreach (var scope in new[] { PruneScope.Layerwise, PruneScope.Global })
        {
            var hp = new PruningHparams { Scope = scope, Rate = 0.6, RateOutput = 0.3, SynflowRounds = 10 };
            using var dense = Mask.Dense(cohort.Layout);
            using var rng = new Generator(1);
            using var data = new Generator(2);
            using var masks = PruningStrategies.Get(name).Create().Prune(Context(cohort, dense, hp, Random(data, 4, shape), rng));
            for (int m = 0; m < 3; m++)
            {
                using var solo = ModelRegistry.Create(mh, shape, 4);
                using (no_grad()) foreach (var p in solo.Layout.Parameters) solo.View(solo.Flat, p, 0).copy_(cohort.View(cohort.Flat, cohort.Layout[p.Name], m));
                using var soloDense = Mask.Dense(solo.Layout);
                using var soloRng = new Generator(1);
                using var soloData = new Generator(2);
                using var mask = PruningStrategies.Get(name).Create().Prune(Context(solo, soloDense, hp, Random(soloData, 4, shape), soloRng));
                foreach (var p in solo.Layout.Parameters)
                    Assert.True(Same(mask.View(p, 0), masks.View(cohort.Layout[p.Name], m)), $"{name} {scope}: member {m}, {p.Name}");
            }
        }
    }

    public static TheoryData<string, string> StrategiesAndModels()
    {
        var data = new TheoryData<string, string>();
        foreach (var s in new[] { "snip", "grasp", "synflow", "magnitude-init" })
            foreach (var m in new[] { "lenet:20,10", "conv2", "resnet20:4" }) data.Add(s, m);
        return data;
    }

    [Theory]
    [MemberData(nameof(StrategiesAndModels))]
    public void LeavesTheModelAsItFoundItAndPrunesAtTheRates(string name, string spec)
    {
        long[] shape = [3, 8, 8];
        using var model = ModelRegistry.Create(new ModelHparams { Name = spec }, shape, 10, members: 2);
        using (no_grad())
        {
            using var g = new Generator(6);
            model.Flat.normal_(0, 0.1, g);
            foreach (var b in model.Buffers) model.Buffer(b.Name).uniform_(-1, 1, g).abs_();   // running statistics that are not the defaults
            model.Buffers.Where(b => b.Name.EndsWith("running_mean")).ToList().ForEach(b => model.Buffer(b.Name).sub_(0.5));
            model.FlatGrad.fill_(0);
        }
        model.Training = false;
        var hp = new PruningHparams { Rate = 0.5, RateOutput = 0.2, RateConv = 0.3, SynflowRounds = 5 };
        using var before = model.Flat.clone();
        var buffers = model.Buffers.Select(b => model.Buffer(b.Name).clone()).ToList();
        using var current = Mask.Dense(model.Layout);
        using var currentBefore = current.Flat.clone();
        using var rng = new Generator(0);
        using var data = new Generator(1);
        using var mask = PruningStrategies.Get(name).Create().Prune(Context(model, current, hp, Random(data, 10, shape), rng));

        Assert.True(Same(model.Flat, before), "weights changed");
        Assert.True(Same(current.Flat, currentBefore), "mask changed");
        Assert.Equal(0f, model.FlatGrad.abs().sum().item<float>());
        Assert.False(model.Training);
        for (int i = 0; i < buffers.Count; i++) Assert.True(Same(model.Buffer(model.Buffers[i].Name), buffers[i]), $"{model.Buffers[i].Name} changed");
        for (int m = 0; m < 2; m++)
            foreach (var p in model.Layout.Parameters)
                Assert.Equal(ScorePruning.KeepCount(p.Numel, PruningRates.For(p, hp)), mask.Alive(p, m));
    }

    [Fact]
    public void DataDrivenStrategiesRefuseToRunWithoutData()
    {
        using var model = TinyModel(out _);
        using var dense = Mask.Dense(model.Layout);
        using var rng = new Generator(0);
        foreach (var name in new[] { "snip", "grasp" })
        {
            var e = Assert.Throws<HparamsException>(() => PruningStrategies.Get(name).Create().Prune(Context(model, dense, new PruningHparams(), null, rng)));
            Assert.Equal($"--strategy {name}: needs training data", e.Message);
        }
    }

    [Fact]
    public void StrategiesAreDeterministic()
    {
        using var model = ModelRegistry.Create(new ModelHparams { Name = "lenet:20,10" }, [1, 3, 3], 4);
        using (no_grad()) { using var g = new Generator(2); model.Flat.normal_(0, 1, g); }
        using var dense = Mask.Dense(model.Layout);
        var hp = new PruningHparams { Rate = 0.7, SynflowRounds = 10 };
        foreach (var name in new[] { "snip", "grasp", "synflow" })
        {
            Mask Run()
            {
                using var rng = new Generator(0);
                using var data = new Generator(5);
                return PruningStrategies.Get(name).Create().Prune(Context(model, dense, hp, Random(data, 4, [1, 3, 3]), rng));
            }
            using var a = Run();
            using var b = Run();
            Assert.True(Same(a.Flat, b.Flat), name);
        }
    }

    [Fact]
    public void HparamsRulesNameTheFlag()
    {
        var unknown = Assert.Throws<HparamsException>(() => new LotteryHparams().With("strategy", "synflo"));
        Assert.StartsWith("--strategy:", unknown.Message);
        Assert.Contains("synflow", unknown.Message);

        var zero = Assert.Throws<HparamsException>(() => Hparams.Validate(new LotteryHparams().With("strategy", "synflow").With("synflow-rounds", "0")));
        Assert.StartsWith("--synflow-rounds:", zero.Message);

        var other = Assert.Throws<HparamsException>(() => Hparams.Validate(new LotteryHparams().With("strategy", "magnitude").With("synflow-rounds", "5")));
        Assert.StartsWith("--synflow-rounds:", other.Message);
        Assert.Contains("synflow", other.Message);

        var ok = new LotteryHparams().With("strategy", "SynFlow").With("synflow-rounds", "5");
        Hparams.Validate(ok);
        Assert.Equal("synflow", ok.Pruning.Strategy);
        Assert.Equal(5, ok.Pruning.SynflowRounds);
        // The new field's default leaves every existing hash alone; a non-default value is part of the identity.
        Assert.DoesNotContain("synflow", Hparams.Canonical(new LotteryHparams()));
        Assert.NotEqual(Hparams.Hash(new LotteryHparams().With("strategy", "synflow")), Hparams.Hash(ok));
        foreach (var s in new[] { "snip", "grasp", "synflow", "magnitude-init" })
            Assert.Equal(StrategyKind.Pruner, PruningStrategies.Get(s).Kind);
    }

    [Theory, InlineData("snip"), InlineData("grasp"), InlineData("synflow"), InlineData("magnitude-init")]
    public void RunsAPrunedLevelEndToEnd(string name)
    {
        using var data = TinyData.Create();
        using var dir = new TempDir();
        var hp = Lth.Tests.Experiments.LotteryRunnerTests.Tiny().With("strategy", name);
        if (name == "synflow") hp = hp.With("synflow-rounds", "10");
        Hparams.Validate(hp);
        var summaries = new LotteryRunner(new RunStore(dir), hp, data).Run(1, 1);
        Assert.Equal(0.5, summaries[1].LayerDensity["fc1.weight"], 3);
        Assert.Equal(0.75, summaries[1].LayerDensity["fc3.weight"], 2);
    }
}
