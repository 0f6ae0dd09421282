using Lth.Data;
using Lth.Experiments;
using Lth.Models;
using Lth.Pruning;
using Lth.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Lth.Tests.Training;

/// <summary>
/// Learning-rate schedules as open_lth's get_lr_schedule: the update at iteration it uses
/// lr · γ^(milestones ≤ it) · min(1, it/W), a function of the absolute iteration in the level.
/// </summary>
public class LrScheduleTests
{
    private static LrSchedule Schedule(TrainingHparams hp, long iterationsPerEpoch = 10) =>
        LrSchedule.Create(hp, iterationsPerEpoch, Step.Parse(hp.Steps).ToIterations(iterationsPerEpoch));

    [Fact]
    public void WithoutFlagsTheRateIsConstantAndExactlyLr()
    {
        var s = Schedule(new TrainingHparams { Lr = 0.1, Steps = "100it" });
        Assert.True(s.IsConstant);
        foreach (long it in new long[] { 0, 1, 50, 99 }) Assert.Equal(0.1, s.At(it));
    }

    [Fact]
    public void WarmupRampsLinearlyFromZeroAtTheFirstUpdate()
    {
        var s = Schedule(new TrainingHparams { Lr = 0.1, Steps = "100it", Warmup = "10it" });
        Assert.Equal(10, s.Warmup);
        Assert.Equal(0.0, s.At(0));                 // open_lth: min(1, 0/10) = 0
        Assert.Equal(0.1 * (1 / 10.0), s.At(1));
        Assert.Equal(0.1 * 0.5, s.At(5));
        Assert.Equal(0.1 * (9 / 10.0), s.At(9));
        Assert.Equal(0.1, s.At(10));                // full rate from iteration W on
        Assert.Equal(0.1, s.At(99));
    }

    [Fact]
    public void EachMilestoneMultipliesTheRateByGammaFromThatIterationOn()
    {
        var s = Schedule(new TrainingHparams { Lr = 0.1, Steps = "200it", LrDrops = "50%,75%", LrGamma = 0.1 });
        Assert.Equal(new long[] { 100, 150 }, s.Milestones);
        Assert.Equal(0.1, s.At(0));
        Assert.Equal(0.1, s.At(99));
        Assert.Equal(0.01, s.At(100), 1e-15);       // a milestone lowers the update made at it
        Assert.Equal(0.01, s.At(149), 1e-15);
        Assert.Equal(0.001, s.At(150), 1e-15);
        Assert.Equal(0.001, s.At(199), 1e-15);
    }

    [Fact]
    public void WarmupAndDropsMultiply()
    {
        var s = Schedule(new TrainingHparams { Lr = 1, Steps = "10it", Warmup = "4it", LrDrops = "2it", LrGamma = 0.5 });
        Assert.Equal(new[] { 0, 0.25, 0.5 * 0.5, 0.5 * 0.75, 0.5, 0.5 }, Enumerable.Range(0, 6).Select(i => s.At(i)));
    }

    [Fact]
    public void MilestonesInEpochsAndPercentResolveToIterations()
    {
        // open_lth's cifar_resnet_20 schedule, 45,000 training examples in batches of 128.
        var hp = new TrainingHparams { Lr = 0.1, Batch = 128, Steps = "160ep", LrDrops = "80ep,120ep", LrGamma = 0.1 };
        const long ipe = (45_000 + 127) / 128;
        var s = LrSchedule.Create(hp, ipe, 160 * ipe);
        Assert.Equal(new[] { 80 * ipe, 120 * ipe }, s.Milestones);
        Assert.Equal(0, s.Warmup);
        Assert.Equal(0.1, s.At(80 * ipe - 1));
        Assert.Equal(0.01, s.At(80 * ipe), 1e-15);
        Assert.Equal(0.001, s.At(120 * ipe), 1e-15);
        // A percentage of the level is rounded down to a whole iteration; so is the warmup.
        var p = Schedule(new TrainingHparams { Steps = "7it", LrDrops = "50%,100%", Warmup = "50%" });
        Assert.Equal(new long[] { 3, 7 }, p.Milestones);
        Assert.Equal(3, p.Warmup);
    }

    [Theory]
    [InlineData("30it", "2ep", "", "warmup")]            // 40 iterations of warmup in a 30-iteration level
    [InlineData("30it", "0it", "2ep", "lr-drops")]       // a milestone past the end
    [InlineData("30it", "0it", "20it,1ep", "lr-drops")]  // 1ep is iteration 20: not strictly increasing
    [InlineData("30it", "0it", "1%", "lr-drops")]        // rounds down to iteration 0
    public void TheTrainerRefusesWhatOnlyTheIterationsPerEpochReveal(string steps, string warmup, string drops, string flag)
    {
        // Epochs against iterations need the dataset: Validate lets these pass, the trainer (built before anything is written) refuses them.
        var lottery = new LotteryHparams().With("steps", steps).With("warmup", warmup).With("lr-drops", drops);
        Hparams.Validate(lottery);
        using var data = TinyData.Create();   // 600 examples in batches of 30: 20 iterations per epoch
        var e = Assert.Throws<HparamsException>(() => new Trainer(lottery.Training with { Batch = 30 }, data, seed: 1));
        Assert.StartsWith($"--{flag}:", e.Message);
    }

    [Fact]
    public void FlatSgdWithTheScheduleMatchesTorchSgdWithOpenLthsLambdaLR()
    {
        // open_lth builds a LambdaLR (rate × lambda(0) before the first update) and steps it after every update.
        var hp = new TrainingHparams { Optimizer = "sgd", Lr = 0.05, Momentum = 0.9, WeightDecay = 1e-3, Steps = "40it", Warmup = "10it", LrDrops = "20it,30it", LrGamma = 0.1 };
        var schedule = Schedule(hp);
        double Lambda(int it) => Math.Pow(0.1, (it >= 20 ? 1 : 0) + (it >= 30 ? 1 : 0)) * Math.Min(1.0, it / 10.0);

        using var g = new Generator(11);
        var start = empty(1000).normal_(0, 1, g);
        var grads = Enumerable.Range(0, 40).Select(_ => empty(1000).normal_(0, 1, g)).ToArray();

        var p = start.clone();
        using (var opt = new FlatSgd(1000, hp.Lr, hp.Momentum, hp.WeightDecay))
            for (int it = 0; it < grads.Length; it++)
            {
                opt.Lr = schedule.At(it);
                opt.Step(p, grads[it].clone());
            }

        var param = new TorchSharp.Modules.Parameter(start.clone());
        var sgd = optim.SGD([param], hp.Lr, momentum: hp.Momentum, weight_decay: hp.WeightDecay);
        var lambdaLr = optim.lr_scheduler.LambdaLR(sgd, Lambda);
        foreach (var gr in grads)
        {
            sgd.zero_grad();
            param.grad = gr.clone();
            sgd.step();
            lambdaLr.step();
        }
        var ours = p.data<float>().ToArray();
        var theirs = param.data<float>().ToArray();
        for (int i = 0; i < ours.Length; i++) Assert.Equal(theirs[i], ours[i], 1e-6f);

        // The schedule matters here: a constant rate ends elsewhere.
        var constant = start.clone();
        using (var opt = new FlatSgd(1000, hp.Lr, hp.Momentum, hp.WeightDecay))
            foreach (var gr in grads) opt.Step(constant, gr.clone());
        Assert.True(constant.sub(p).abs().max().item<float>() > 0.1f);
    }

    [Fact]
    public void FusedAdamFollowsTheRateSetBeforeEachStep()
    {
        using var g = new Generator(12);
        var start = empty(1024).normal_(0, 1, g);
        var grads = Enumerable.Range(0, 30).Select(_ => empty(1024).normal_(0, 1, g)).ToArray();
        var p = start.clone();
        using (var adam = new FusedAdam(1024, 1e-2, 0.9, 0.999, 1e-8, 1e-4))
            for (int it = 0; it < grads.Length; it++)
            {
                adam.Lr = 1e-2 * (it < 15 ? 1 : 0.1);
                adam.Step(p, grads[it].clone());
            }
        var param = new TorchSharp.Modules.Parameter(start.clone());
        var reference = optim.Adam([param], lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 1e-4);
        var drop = optim.lr_scheduler.LambdaLR(reference, it => it < 15 ? 1 : 0.1);
        foreach (var gr in grads)
        {
            reference.zero_grad();
            param.grad = gr.clone();
            reference.step();
            drop.step();
        }
        var ours = p.data<float>().ToArray();
        var theirs = param.data<float>().ToArray();
        for (int i = 0; i < ours.Length; i++) Assert.Equal(theirs[i], ours[i], 1e-5f);
    }

    // ---- the trainer ----

    private static readonly ModelHparams TinyModel = new() { Name = "lenet:32,16" };

    private static (IModel Model, Mask Mask) NewModel(DatasetSplits data)
    {
        var model = ModelRegistry.Create(TinyModel, data.Train.ExampleShape, data.Train.NumClasses);
        ModelInitializer.Apply(model, 0, TinyModel, seed: 3);
        return (model, Mask.Dense(model.Layout));
    }

    private sealed class Snapshots(params long[] at) : ITrainingObserver
    {
        public Dictionary<long, Tensor> Weights { get; } = new();
        public void OnIteration(long iteration, long total, IModel model)
        {
            if (at.Contains(iteration)) Weights[iteration] = model.Flat.detach().clone().DetachFromDisposeScope();
        }
    }

    /// <summary>Records the learning rate of every step it is asked to take.</summary>
    private sealed class RecordingOptimizer(IFlatOptimizer inner) : IFlatOptimizer
    {
        public List<double> Rates { get; } = new();
        public double Lr { get => inner.Lr; set => inner.Lr = value; }
        public long StepCount => inner.StepCount;
        public void Step(Tensor parameters, Tensor grad) { Rates.Add(inner.Lr); inner.Step(parameters, grad); }
        public Dictionary<string, Tensor> State() => inner.State();
        public void LoadState(IReadOnlyDictionary<string, Tensor> state) => inner.LoadState(state);
        public void Dispose() => inner.Dispose();
    }

    [Theory]
    [InlineData("adam")]
    [InlineData("sgd")]
    public void AScheduleThatNeverChangesTheRateTrainsBitwiseAsNone(string optimizer)
    {
        // A drop at the level's end (no update comes after it) and a drop by γ = 1 run the scheduled path with factor 1:
        // the rate handed to the optimizers (the fused Adam pass included) must be bit for bit the constant one.
        using var data = TinyData.Create();
        var hp = new TrainingHparams { Optimizer = optimizer, Lr = optimizer == "sgd" ? 0.05 : 3e-3, Momentum = optimizer == "sgd" ? 0.9 : 0, Batch = 30, Steps = "2ep", EvalEvery = "10it" };
        var variants = new[] { hp, hp with { LrDrops = "100%", LrGamma = 0.5 }, hp with { LrDrops = "25%,50%", LrGamma = 1 } };
        var runs = new List<(byte[] Weights, IReadOnlyList<EvalPoint> Metrics)>();
        foreach (var v in variants)
        {
            var (model, mask) = NewModel(data);
            using (model) using (mask)
            {
                var trainer = new Trainer(v, data, seed: 3);
                Assert.Equal(v == hp, trainer.Schedule.IsConstant);
                var result = trainer.Train(model, mask)[0];
                runs.Add((model.Flat.bytes.ToArray(), result.Metrics));
            }
        }
        foreach (var r in runs.Skip(1))
        {
            Assert.Equal(runs[0].Weights, r.Weights);
            Assert.Equal(runs[0].Metrics, r.Metrics);
        }
    }

    [Fact]
    public void AfterADropToATinyGammaTheWeightsBarelyMove()
    {
        using var data = TinyData.Create();   // 20 iterations per epoch
        var hp = new TrainingHparams { Optimizer = "sgd", Lr = 0.05, Momentum = 0.9, Batch = 30, Steps = "2ep", EvalEvery = "1ep" };
        double Moved(TrainingHparams h, out double before)
        {
            var (model, mask) = NewModel(data);
            using (model) using (mask)
            {
                var snaps = new Snapshots(0, 20, 40);
                new Trainer(h, data, seed: 3).Train(model, mask, observer: snaps);
                before = snaps.Weights[20].sub(snaps.Weights[0]).norm().item<float>();
                return snaps.Weights[40].sub(snaps.Weights[20]).norm().item<float>();
            }
        }
        double after = Moved(hp with { LrDrops = "50%", LrGamma = 1e-6 }, out var before);
        Assert.True(before > 0.1, $"the weights move before the milestone ({before})");
        Assert.True(after < 1e-4 * before, $"after the drop the weights moved {after}, before it {before}");
        // Without the drop they keep moving.
        double free = Moved(hp, out _);
        Assert.True(free > 0.1 * before, $"without a drop the weights moved {free} in the second half");
    }

    [Theory]
    [InlineData(5)]    // inside the warmup: the rewound level starts its ramp at 5/10
    [InlineData(25)]   // after the first drop
    public void ARewoundLevelContinuesTheScheduleFromItsStart(long k)
    {
        using var data = TinyData.Create();   // 20 iterations per epoch
        var hp = new TrainingHparams { Optimizer = "sgd", Lr = 0.1, Momentum = 0.9, Batch = 30, Steps = "40it", EvalEvery = "20it", Warmup = "10it", LrDrops = "50%,75%", LrGamma = 0.1 };
        List<double> Rates(long start)
        {
            var (model, mask) = NewModel(data);
            using (model) using (mask)
            {
                using var opt = new RecordingOptimizer(Optimizers.Create(hp, model.Layout.TotalSize));
                new Trainer(hp, data, seed: 3).Train(model, mask, start, optimizer: opt);
                return opt.Rates;
            }
        }
        var full = Rates(0);
        var rewound = Rates(k);
        Assert.Equal(40, full.Count);
        // The unrewound level follows the hand-computed schedule: ramp 0, 0.01, …; full rate at 10; ×0.1 at 20 and 30.
        Assert.Equal(0.0, full[0]);
        Assert.Equal(0.1 * (5 / 10.0), full[5]);
        Assert.Equal(0.1, full[10]);
        Assert.Equal(0.1, full[19]);
        Assert.Equal(0.01, full[20], 1e-15);
        Assert.Equal(0.001, full[30], 1e-15);
        // The rewound level's first update uses the rate of iteration k, and so on to the end.
        Assert.Equal(full.Skip((int)k), rewound);
    }

    [Fact]
    public void ARunWithAScheduleAndRewindingResumesBitwise()
    {
        using var data = TinyData.Create();
        using var a = new TempDir();
        using var b = new TempDir();
        var hp = new LotteryHparams
        {
            Dataset = new() { Name = "synthetic" },
            Model = TinyModel,
            Training = new() { Optimizer = "sgd", Lr = 0.05, Momentum = 0.9, Batch = 30, Steps = "2ep", Warmup = "5it", LrDrops = "50%,30it", LrGamma = 0.2 },
            Pruning = new() { Rate = 0.5, RateOutput = 0.25 },
            Rewind = "10it",
        };
        Hparams.Validate(hp);
        var straight = new LotteryRunner(new RunStore(a), hp, data).Run(3, 2);
        Assert.Throws<OperationCanceledException>(() => new LotteryRunner(new RunStore(b), hp, data).Run(3, 2, new KillAfter(2)));
        var resumed = new LotteryRunner(new RunStore(b), hp, data).Run(3, 2);
        for (int l = 0; l <= 2; l++)
        {
            Assert.Equal(straight[l].FinalTrainLoss, resumed[l].FinalTrainLoss);
            Assert.Equal(File.ReadAllBytes(Path.Combine(new RunStore(a).LevelDir(hp, 3, l), RunStore.FinalFile)),
                         File.ReadAllBytes(Path.Combine(new RunStore(b).LevelDir(hp, 3, l), RunStore.FinalFile)));
            Assert.Equal(File.ReadAllText(Path.Combine(new RunStore(a).LevelDir(hp, 3, l), RunStore.MetricsFile)),
                         File.ReadAllText(Path.Combine(new RunStore(b).LevelDir(hp, 3, l), RunStore.MetricsFile)));
        }
    }

    private sealed class KillAfter(int levels) : ILotteryObserver
    {
        private int done;
        public void OnLevelDone(LevelSummary s, bool skipped)
        {
            if (!skipped && ++done >= levels) throw new OperationCanceledException("simulated kill");
        }
    }
}
