// lth's side of the LeNet-300-100 benchmark: the trainer lth uses for every run (flat parameter
// buffer, masked Adam, one dispose scope per step), on Fashion-MNIST, batch 60, N iterations after a
// 20-iteration warm-up. Prints one line: 'lth threads=T iterations=N seconds=S final_loss=L'.
// Usage: dotnet Lth.Bench.dll [--threads T] [--iterations N] [--members K] [--density D] [--model SPEC] [--data DIR]
//        add --autograd to time the step through libtorch and autograd (the reference path) instead of LeNet's or Conv's own
//        dotnet Lth.Bench.dll --versus D [--members K] [--rounds R] [--iterations N]   (a member-step at density D vs dense)
//        dotnet Lth.Bench.dll --profile [--members K] [--density D] [--dense]   (time per phase of a step)
//        dotnet Lth.Bench.dll --sgemm [--threads T]                          (the machine's GEMM peak)
//        dotnet Lth.Bench.dll --pai [--threads T] [--level L] [--rounds R]   (pruning-at-init scoring vs one epoch)
using System.Diagnostics;
using System.Globalization;
using Lth.Data;
using Lth.Experiments;
using Lth.Models;
using Lth.Native;
using Lth.Pruning;
using Lth.Training;
using static TorchSharp.torch;
using Lth.Foundations;

int threads = 1, iterations = 1000, members = 1;
double density = 1;
string? dataDir = null;
string modelSpec = "lenet:300,100";
bool sgemm = false, profile = false, dense = false, pai = false, autograd = false, noSparse = false;
int paiLevel = 20, rounds = 3;   // --rounds: rounds of --pai and --versus
double versus = -1;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--iterations": iterations = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--members": members = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--data": dataDir = args[++i]; break;
        case "--model": modelSpec = args[++i]; break;
        case "--sgemm": sgemm = true; break;
        case "--profile": profile = true; break;
        case "--dense": dense = true; break;
        case "--pai": pai = true; break;
        case "--autograd": autograd = true; break;   // the step through libtorch and autograd instead of the model's own (FlatModel.ManualGradients)
        case "--no-sparse": noSparse = true; break;   // LeNet's pruned layers computed densely (the dense kernels on masked weights)
        case "--versus": versus = double.Parse(args[++i], CultureInfo.InvariantCulture); break;   // sparse (density D) vs dense, alternating, in one process
        case "--level": paiLevel = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--rounds": rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--density": density = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}
TorchRuntime.Initialize(threads);
if (sgemm)
{
    // The machine's matrix-multiply peak through libtorch (MKL), for "how far from the limit are we".
    using var a = randn(2048, 2048); using var b = randn(2048, 2048);
    for (int w = 0; w < 3; w++) a.mm(b).Dispose();
    var c = Stopwatch.StartNew();
    const int reps = 10;
    for (int r = 0; r < reps; r++) a.mm(b).Dispose();
    double gflops = reps * 2.0 * 2048 * 2048 * 2048 / c.Elapsed.TotalSeconds / 1e9;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sgemm threads={threads} gflops={gflops:0.0}"));
    return 0;
}
var hp = new LotteryHparams { Model = new() { Name = modelSpec, Init = "xavier-normal" } };
using var full = DatasetCatalog.Load(hp.Dataset, DataLocation.FromEnvironment(dataDir));
// Evaluation is not part of the timing: validation and test shrink to one example each.
using var data = new DatasetSplits(full.Train,
    new Dataset(full.Validation.Images.narrow(0, 0, 1), full.Validation.Labels.narrow(0, 0, 1), 10),
    new Dataset(full.Test.Images.narrow(0, 0, 1), full.Test.Labels.narrow(0, 0, 1), 10));

double Run(int steps, out double loss)
{
    using var model = ModelRegistry.Create(hp.Model, data.Train.ExampleShape, 10, members);
    for (int m = 0; m < members; m++) ModelInitializer.Apply(model, m, hp.Model, 1 + m);
    if (model is FlatModel own) own.ManualGradients = !autograd;
    if (model is LeNet lenet && noSparse) lenet.AllowSparse = false;
    using var mask = MaskOf(model);
    var trainer = new Trainer(hp.Training with { Steps = $"{steps}it", EvalEvery = "1000000it" }, data, seed: 1);
    var clock = Stopwatch.StartNew();
    var r = trainer.Train(model, mask);
    clock.Stop();
    loss = r[0].Metrics.Last(e => e.Split == "train").Loss;
    return clock.Elapsed.TotalSeconds;
}

if (profile) { Profile(iterations); return 0; }
if (versus > 0) { Versus(); return 0; }
if (pai) { PruneAtInit(); return 0; }
Run(20, out _); // warm-up: JIT, allocator, libtorch kernels
double seconds = Run(iterations, out var finalLoss);
// Training FLOPs: forward + backward ≈ 3 × the forward's 2·B·(weights) for fully-connected layers.
double flops = modelSpec.StartsWith("lenet") ? 6.0 * 60 * 266_200 * iterations * members : double.NaN;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"lth model={modelSpec} threads={threads} members={members} iterations={iterations} seconds={seconds:0.0000} per_member={seconds / members:0.0000} gflops={flops / seconds / 1e9:0.0} final_loss={finalLoss:0.0000}"));
return 0;

// --versus D: a member-step at density D (every weight tensor, as MaskOf) against a dense one, --rounds R pairs of
// alternating runs of --iterations steps in one process; prints the median seconds per member and per 1,000 steps of
// each and the median of the per-round ratios.
void Versus()
{
    Run(20, out _);
    var (dense, sparse, ratio) = (new List<double>(), new List<double>(), new List<double>());
    for (int r = 0; r < rounds; r++)
    {
        density = 1;
        double d = Run(iterations, out _) / members * 1000 / iterations;
        density = versus;
        double sp = Run(iterations, out _) / members * 1000 / iterations;
        dense.Add(d); sparse.Add(sp); ratio.Add(sp / d);
    }
    static double Median(List<double> l) { var s = l.OrderBy(x => x).ToList(); return s[s.Count / 2]; }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"versus threads={threads} members={members} density={versus} rounds={rounds} dense={Median(dense):0.0000} sparse={Median(sparse):0.0000} ratio={Median(ratio):0.000} (s per member per 1000 steps)"));
}

// --profile: the trainer's step phase by phase, interleaved in blocks of 50 steps so that the machine's
// slow spells hit every configuration alike; prints the median per phase. Compares a solo network with a
// cohort of --members; with --density < 1, LeNet's sparse hidden layers with the dense path (--dense: dense only).
void Profile(int steps)
{
    var configs = new List<(int K, bool Sparse)>();
    if (density < 1) { configs.Add((members, !dense)); if (!dense) configs.Add((members, false)); }
    else { configs.Add((1, true)); if (members > 1) configs.Add((members, true)); }
    string[] names = ["gather", "forward", "loss", "backward", "adam+mask", "total"];
    int n = configs.Count;
    var samples = Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, 6).Select(_ => new List<double>()).ToArray()).ToArray();
    var models = configs.Select(c => ModelRegistry.Create(hp.Model, data.Train.ExampleShape, 10, c.K)).ToArray();
    var opts = models.Select(m => new FusedAdam(m.Layout.TotalSize, 1.2e-3, 0.9, 0.999, 1e-8, 0)).ToArray();
    var masks = new Mask[n];
    for (int c = 0; c < n; c++)
    {
        for (int m = 0; m < configs[c].K; m++) ModelInitializer.Apply(models[c], m, hp.Model, 1 + m);
        masks[c] = MaskOf(models[c]);
        if (models[c] is LeNet lenet) lenet.AllowSparse = configs[c].Sparse;
        models[c].UseMask(masks[c]);
        if (configs[c].Sparse) opts[c].SkipPruned(masks[c].Flat);   // as the trainer does with its own optimizer
    }
    var perm = randperm(data.Train.Count);
    var sw = new Stopwatch();
    const int block = 50;
    for (int round = -1; round < steps / block; round++)
    for (int c = 0; c < n; c++)
    {
        var model = models[c];
        int k = configs[c].K;
        var t = new double[5];
        for (int it = 0; it < block; it++)
        {
            using var scope = NewDisposeScope();
            long off = ((round * block + it + block) * 60) % (data.Train.Count - 60);
            sw.Restart();
            var idx = perm.narrow(0, off, 60);
            var x = data.Train.Images.index_select(0, idx);
            var y = data.Train.Labels.index_select(0, idx);
            double a = sw.Elapsed.TotalMilliseconds;
            var logits = model.Forward(x);
            double b = sw.Elapsed.TotalMilliseconds;
            var target = k == 1 ? y : y.repeat(k);
            var loss = nn.functional.cross_entropy(logits.reshape(k * 60, 10), target, reduction: nn.Reduction.None).view(k, 60).mean([1]).sum();
            double cc = sw.Elapsed.TotalMilliseconds;
            loss.backward();
            model.AfterBackward();
            double d = sw.Elapsed.TotalMilliseconds;
            opts[c].StepMasked(model.Flat, model.FlatGrad, masks[c].Flat);
            double e = sw.Elapsed.TotalMilliseconds;
            t[0] += a; t[1] += b - a; t[2] += cc - b; t[3] += d - cc; t[4] += e - d;
        }
        if (round < 0) continue;
        for (int i = 0; i < 5; i++) samples[c][i].Add(t[i] / block / k);
        samples[c][5].Add(t.Sum() / block / k);
    }
    static double Median(List<double> l) { var s = l.OrderBy(x => x).ToList(); return s[s.Count / 2]; }
    Console.WriteLine($"{modelSpec}, weight density {density}: ms per member-step, medians of {steps / block} interleaved blocks of {block} steps, threads={threads}");
    Console.WriteLine("members  path  " + string.Join(" ", names.Select(nm => $"{nm,9}")));
    for (int c = 0; c < n; c++)
    {
        string path = models[c] is LeNet l && l.IsSparse ? "sparse" : "dense";
        Console.WriteLine($"{configs[c].K,7} {path,6} " + string.Join(" ", samples[c].Select(l => Median(l).ToString("0.000", CultureInfo.InvariantCulture).PadLeft(9))));
    }
}

// --pai: what one member's mask costs for each pruning-at-initialization strategy (as LevelMasks computes it: the
// fresh init of a one-member network pruned to level L's density of IMP's schedule at 20% per level, in one call;
// SynFlow in its default 100 rounds), against one training epoch of that network (1000 steps of 60). Rounds
// alternate the configurations; medians are printed with the ratio strategy / epoch.
void PruneAtInit()
{
    var pruning = PruningRates.ForOneShot(new PruningHparams { Rate = 0.2, RateOutput = 0.2 }, paiLevel);
    string[] strategies = ["magnitude-init", "snip", "grasp", "synflow"];
    var times = strategies.ToDictionary(s => s, _ => new List<double>());
    var epochs = new List<double>();
    Run(20, out _);
    for (int round = 0; round < rounds; round++)
    {
        epochs.Add(Run(1000, out _));
        foreach (var name in strategies)
        {
            using var model = ModelRegistry.Create(hp.Model, data.Train.ExampleShape, 10, 1);
            ModelInitializer.Apply(model, 0, hp.Model, 1);
            using var dense = Mask.Dense(model.Layout);
            using var rng = new Generator(1);
            using var batchRng = new Generator(2);
            BatchSource batches = count =>
            {
                using var idx = randint(0, data.Train.Count, [count], generator: batchRng);
                return (data.Train.Images.index_select(0, idx), data.Train.Labels.index_select(0, idx));
            };
            var clock = Stopwatch.StartNew();
            using (var scope = NewDisposeScope())
            using (var m = PruningStrategies.Get(name).Create().Prune(new PruningContext(model, dense, pruning, paiLevel, 0, rng, batches)))
                clock.Stop();
            times[name].Add(clock.Elapsed.TotalSeconds);
        }
    }
    static double Median(List<double> l) { var s = l.OrderBy(x => x).ToList(); return s[s.Count / 2]; }
    double epoch = Median(epochs);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pai model={modelSpec} threads={threads} level={paiLevel} density={Math.Pow(0.8, paiLevel):0.0000} epoch_seconds={epoch:0.000} rounds={rounds}"));
    foreach (var name in strategies)
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pai strategy={name} seconds={Median(times[name]):0.0000} epochs={Median(times[name]) / epoch:0.000}"));
}

// --density D: a random mask keeping a fraction D of every weight tensor (as IMP's level log(D)/log(0.8) would), applied to the weights.
Mask MaskOf(IModel model)
{
    var mask = Mask.Dense(model.Layout);
    if (density < 1)
    {
        var gen = new Generator(7);
        foreach (var p in model.Layout.Parameters.Where(p => p.IsWeight))
        {
            var block = mask.Flat.narrow(0, p.Offset, p.Numel * model.Layout.Members);
            block.copy_(rand(block.shape, generator: gen).lt(density).to(ScalarType.Float32));
        }
        using (no_grad()) model.Flat.mul_(mask.Flat);
    }
    return mask;
}
