// lth's side of the LeNet-300-100 benchmark: the trainer lth uses for every run (flat parameter
// buffer, masked Adam, one dispose scope per step), on Fashion-MNIST, batch 60, N iterations after a
// 20-iteration warm-up. Prints one line: 'lth threads=T iterations=N seconds=S final_loss=L'.
// Usage: dotnet Lth.Bench.dll [--threads T] [--iterations N] [--members K] [--data DIR]
using System.Diagnostics;
using System.Globalization;
using Lth.Data;
using Lth.Experiments;
using Lth.Models;
using Lth.Native;
using Lth.Pruning;
using Lth.Training;
using static TorchSharp.torch;

int threads = 1, iterations = 1000, members = 1;
string? dataDir = null;
string modelSpec = "lenet:300,100";
bool sgemm = false;
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
    using var mask = Mask.Dense(model.Layout);
    var trainer = new Trainer(hp.Training with { Steps = $"{steps}it", EvalEvery = "1000000it" }, data, seed: 1);
    var clock = Stopwatch.StartNew();
    var r = trainer.Train(model, mask);
    clock.Stop();
    loss = r[0].Metrics.Last(e => e.Split == "train").Loss;
    return clock.Elapsed.TotalSeconds;
}

Run(20, out _); // warm-up: JIT, allocator, libtorch kernels
double seconds = Run(iterations, out var finalLoss);
// Training FLOPs: forward + backward ≈ 3 × the forward's 2·B·(weights) for fully-connected layers.
double flops = modelSpec.StartsWith("lenet") ? 6.0 * 60 * 266_200 * iterations * members : double.NaN;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"lth model={modelSpec} threads={threads} members={members} iterations={iterations} seconds={seconds:0.0000} per_member={seconds / members:0.0000} gflops={flops / seconds / 1e9:0.0} final_loss={finalLoss:0.0000}"));
return 0;
