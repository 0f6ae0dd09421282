using System.Diagnostics;
using System.Text.Json;
using Lth.Data;
using Lth.Init;
using Lth.Models;
using Lth.Native;
using Lth.Pruning;
using Lth.Training;
using static TorchSharp.torch;

namespace Lth.Experiments;

/// <summary>
/// Iterative magnitude pruning with resetting (Frankle &amp; Carbin 2019), one seed:
/// level 0 trains the dense network from the saved initial weights; each next level prunes the
/// previous level's trained weights by magnitude, resets the survivors to their iteration-0 values
/// (or their values at the rewind iteration), and retrains with a fresh optimizer.
/// Variants, each its own hparam and so its own run: one-shot pruning, a carried optimizer, and runs
/// that take their masks from another run — the controls (<see cref="Controls"/>) and ticket transfer.
/// Every stage checks whether its output exists and skips it, so a killed run resumes at the level
/// it was in and produces the same bits as an uninterrupted run.
/// </summary>
public sealed class LotteryRunner
{
    public const string OptimizerFile = "optimizer.safetensors";
    public const string WinnersFile = "winners.json";

    private readonly RunStore store;
    private readonly LotteryHparams hp;
    private readonly DatasetSplits data;
    private readonly IPruningStrategy pruning = new MagnitudePruning();

    public LotteryRunner(RunStore store, LotteryHparams hp, DatasetSplits data)
    {
        Hparams.Validate(hp);
        this.store = store;
        this.hp = hp;
        this.data = data;
    }

    public string RunDir => store.RunDir(hp);

    /// <summary>Runs (or resumes) levels 0..<paramref name="levels"/> of seed <paramref name="seed"/>.</summary>
    public IReadOnlyList<LevelSummary> Run(long seed, int levels, ILotteryObserver? observer = null, CancellationToken ct = default)
    {
        if (levels < 0) throw new HparamsException("--levels: must be >= 0");
        int lastLevel = levels;
        LotteryHparams? sourceHp = null;
        if (Controls.UsesSourceMasks(hp))
        {
            // The run whose masks this one uses must exist first; it ends early if it diverged.
            sourceHp = Controls.Source(hp);
            var sourceSummaries = new LotteryRunner(store, sourceHp, data).Run(seed, levels, observer, ct);
            lastLevel = sourceSummaries.Count - 1 - (sourceSummaries[^1].Diverged ? 1 : 0);
            if (lastLevel < 0) return [];
        }

        var runDir = store.RunDir(hp);
        Directory.CreateDirectory(runDir);
        var hparamsPath = Path.Combine(runDir, RunStore.HparamsFile);
        if (!File.Exists(hparamsPath)) AtomicFile.WriteText(hparamsPath, Hparams.ToJson(hp));
        var seedDir = store.SeedDir(hp, seed);
        using var runLock = RunLock.TryAcquire(seedDir) ?? throw new RunBusyException(seedDir);

        var trainer = new Trainer(hp.Training, data, seed);
        long rewindAt = Step.Parse(hp.Rewind, "rewind").ToIterations(trainer.IterationsPerEpoch);
        if (rewindAt >= trainer.TotalIterations)
            throw new HparamsException($"--rewind: {hp.Rewind} is not before the end of training ({trainer.TotalIterations} iterations)");

        using var model = ModelRegistry.Create(hp.Model, data.Train.ExampleShape, data.Train.NumClasses);
        using var initial = LoadOrCreateInit(model, seedDir, seed, sourceHp);
        var ctx = new Context(trainer, initial, seedDir, seed, rewindAt, sourceHp, observer);
        var summaries = new List<LevelSummary>();
        try
        {
            for (int level = 0; level <= lastLevel; level++)
            {
                ct.ThrowIfCancellationRequested();
                var levelDir = store.LevelDir(hp, seed, level);
                var summaryPath = Path.Combine(levelDir, RunStore.SummaryFile);
                LevelSummary summary;
                if (File.Exists(summaryPath))
                {
                    summary = LevelSummary.Load(summaryPath);
                    observer?.OnLevelDone(summary, skipped: true);
                }
                else summary = RunLevel(model, ctx, levelDir, level, ct);
                summaries.Add(summary);
                // A diverged level (NaN/inf loss) has no meaningful weights to prune: the run ends there, recorded as diverged.
                if (summary.Diverged) break;
            }
        }
        finally { ctx.Optimizer?.Dispose(); }
        return summaries;
    }

    private sealed class Context(Trainer trainer, Tensor initial, string seedDir, long seed, long rewindAt, LotteryHparams? sourceHp, ILotteryObserver? observer)
    {
        public Trainer Trainer { get; } = trainer;
        public Tensor Initial { get; } = initial;
        public string SeedDir { get; } = seedDir;
        public long Seed { get; } = seed;
        public long RewindAt { get; } = rewindAt;
        public LotteryHparams? SourceHp { get; } = sourceHp;
        public ILotteryObserver? Observer { get; } = observer;
        /// <summary>With --optimizer-state carry: the optimizer continued from level to level.</summary>
        public IFlatOptimizer? Optimizer { get; set; }
    }

    private LevelSummary RunLevel(IModel model, Context c, string levelDir, int level, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        using var mask = LoadOrCreateMask(model, c, levelDir, level);
        long start = level == 0 ? 0 : c.RewindAt;
        var rewindPath = Path.Combine(c.SeedDir, RunStore.RewindFile(c.RewindAt));
        using (no_grad())
        {
            if (start == 0) model.Flat.copy_(c.Initial);
            else
            {
                if (!File.Exists(rewindPath)) throw new InvalidDataException($"{rewindPath}: missing rewind point; delete level_0 to recompute it");
                Load(model, rewindPath);
            }
            model.Flat.mul_(mask.Flat);
        }
        using var levelStart = model.Flat.clone();
        IFlatOptimizer? optimizer = null;
        if (hp.OptimizerState == "carry")
        {
            if (c.Optimizer is null)
            {
                c.Optimizer = Optimizers.Create(hp.Training, model.Layout.TotalSize);
                if (level > 0) LoadOptimizer(c.Optimizer, Path.Combine(c.SeedDir, $"level_{level - 1}", OptimizerFile));
            }
            optimizer = c.Optimizer;
        }
        c.Observer?.OnLevelStart(level, model, mask);
        var rewinder = level == 0 && c.RewindAt > 0 ? new RewindSaver(c.RewindAt, rewindPath) : null;
        var member = c.Trainer.Train(model, mask, start, new Forwarder(c.Observer, rewinder), ct, optimizer)[0];

        Directory.CreateDirectory(levelDir);
        Save(model, Path.Combine(levelDir, RunStore.FinalFile));
        MetricsCsv.Save(Path.Combine(levelDir, RunStore.MetricsFile), member.Metrics);
        if (optimizer is not null) SaveTensors(optimizer.State(), Path.Combine(levelDir, OptimizerFile));
        SaveWinners(model, levelStart, mask, Path.Combine(levelDir, WinnersFile));
        long? es = member.EarlyStopIteration;
        var summary = new LevelSummary
        {
            Level = level,
            Seed = c.Seed,
            Hash = Hparams.Hash(hp),
            Init = hp.Model.Init,
            Control = hp.Control,
            Density = mask.WeightDensity(0),
            LayerDensity = mask.LayerDensities(0),
            EarlyStopIteration = es,
            TestAccuracyAtEarlyStop = es is long e ? member.TestAccuracyAt(e) : null,
            ValLossAtEarlyStop = es is long e2 ? member.Metrics.First(m => m.Split == "val" && m.Iteration == e2).Loss : null,
            FinalTestAccuracy = member.Last("test")?.Accuracy,
            FinalValAccuracy = member.Last("val")?.Accuracy,
            FinalTrainLoss = member.Last("train")?.Loss,
            Diverged = member.Diverged,
            DivergedAt = member.DivergedAt,
            StartIteration = start,
            Iterations = c.Trainer.TotalIterations,
            WallSeconds = clock.Elapsed.TotalSeconds,
            Threads = TorchRuntime.Threads,
        };
        AtomicFile.WriteText(Path.Combine(levelDir, RunStore.SummaryFile), summary.ToJson());
        c.Observer?.OnLevelDone(summary, skipped: false);
        return summary;
    }

    /// <summary>
    /// The iteration-0 weights: the requested scheme's draw from the run seed — or, for the reinit
    /// controls, a fresh draw (with the source run's signs for reinit-signed). Drawn once, saved, and
    /// read back on every resume.
    /// </summary>
    private Tensor LoadOrCreateInit(IModel model, string seedDir, long seed, LotteryHparams? sourceHp)
    {
        var path = Path.Combine(seedDir, RunStore.InitFile);
        if (File.Exists(path)) Load(model, path);
        else
        {
            if (hp.Control is "reinit" or "reinit-signed")
            {
                ModelInitializer.ApplyFromGenerator(model, 0, hp.Model, Seeds.For(seed, "reinit"));
                if (hp.Control == "reinit-signed")
                {
                    using var fresh = model.Flat.abs();
                    Load(model, Path.Combine(store.SeedDir(sourceHp!, seed), RunStore.InitFile));
                    using var _ = no_grad();
                    using var sign = model.Flat.ge(0).to(ScalarType.Float32).mul_(2).sub_(1);
                    model.Flat.copy_(fresh.mul(sign));
                }
            }
            else ModelInitializer.Apply(model, 0, hp.Model, seed);
            Save(model, path);
        }
        return model.Flat.clone();
    }

    private Mask LoadOrCreateMask(IModel model, Context c, string levelDir, int level)
    {
        var path = Path.Combine(levelDir, RunStore.MaskFile);
        var mask = Mask.Dense(model.Layout);
        if (File.Exists(path))
        {
            LoadMask(mask, path);
            return mask;
        }
        if (level > 0)
        {
            Mask next;
            if (c.SourceHp is not null)
            {
                // Controls and transfer: the source run's mask of this level, used as is or randomized.
                using var source = Mask.Dense(model.Layout);
                LoadMask(source, Path.Combine(store.LevelDir(c.SourceHp, c.Seed, level), RunStore.MaskFile));
                if (hp.Control is "random-prune" or "random-prune-global" or "shuffle")
                {
                    using var rng = new Generator(Seeds.For(c.Seed, $"{hp.Control}-level-{level}"));
                    next = RandomMasks.Derive(hp.Control, source, hp.Pruning, rng);
                }
                else next = new Mask(model.Layout, source.Flat.clone());
            }
            else if (hp.OneShot)
            {
                // One-shot: the dense trained network (level 0) pruned straight to this level's density.
                using var dense = Mask.Dense(model.Layout);
                Load(model, Path.Combine(c.SeedDir, "level_0", RunStore.FinalFile));
                next = pruning.Prune(model, dense, PruningRates.ForOneShot(hp.Pruning, level));
            }
            else
            {
                var prevDir = Path.Combine(c.SeedDir, $"level_{level - 1}");
                using var previous = Mask.Dense(model.Layout);
                LoadMask(previous, Path.Combine(prevDir, RunStore.MaskFile));
                Load(model, Path.Combine(prevDir, RunStore.FinalFile));
                next = pruning.Prune(model, previous, hp.Pruning);
            }
            mask.Dispose();
            mask = next;
        }
        Directory.CreateDirectory(levelDir);
        SaveTensors(mask.ToNamed(0), path);
        return mask;
    }

    private void SaveWinners(IModel trained, Tensor levelStart, Mask mask, string path)
    {
        using var initial = ModelRegistry.Create(hp.Model, data.Train.ExampleShape, data.Train.NumClasses);
        using (no_grad()) initial.Flat.copy_(levelStart);
        var stats = WinnerStatistics.Compute(initial, trained, mask, Initializers.Parse(hp.Model.Init));
        AtomicFile.WriteText(path, JsonSerializer.Serialize(stats, WinnerJson));
    }

    private static readonly JsonSerializerOptions WinnerJson = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Saves member 0's parameters with PyTorch names.</summary>
    internal static void Save(IModel model, string path) =>
        SaveTensors(model.Layout.Parameters.ToDictionary(p => p.Name, p => model.View(model.Flat, p, 0).clone()), path);

    private static void SaveTensors(Dictionary<string, Tensor> named, string path)
    {
        try { TensorFile.Save(path, named); }
        finally { foreach (var t in named.Values) t.Dispose(); }
    }

    /// <summary>Loads PyTorch-named parameters into member 0.</summary>
    internal static void Load(IModel model, string path)
    {
        var named = TensorFile.Load(path);
        try
        {
            using var _ = no_grad();
            foreach (var p in model.Layout.Parameters)
            {
                if (!named.TryGetValue(p.Name, out var t) || t.numel() != p.Numel)
                    throw new InvalidDataException($"{path}: missing or misshapen tensor '{p.Name}'");
                model.View(model.Flat, p, 0).copy_(t.reshape(p.Shape));
            }
        }
        finally { foreach (var t in named.Values) t.Dispose(); }
    }

    internal static void LoadMask(Mask mask, string path)
    {
        var named = TensorFile.Load(path);
        try { mask.LoadNamed(named, 0); }
        finally { foreach (var t in named.Values) t.Dispose(); }
    }

    private static void LoadOptimizer(IFlatOptimizer optimizer, string path)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"{path}: missing optimizer state (needed by --optimizer-state carry)");
        var state = TensorFile.Load(path);
        try { optimizer.LoadState(state); }
        finally { foreach (var t in state.Values) t.Dispose(); }
    }

    /// <summary>Saves the weights at the rewind iteration during level 0.</summary>
    private sealed class RewindSaver(long at, string path)
    {
        public void OnIteration(long iteration, IModel model)
        {
            if (iteration == at) Save(model, path);
        }
    }

    private sealed class Forwarder(ILotteryObserver? inner, RewindSaver? rewind) : ITrainingObserver
    {
        public void OnIteration(long iteration, long total, IModel model)
        {
            rewind?.OnIteration(iteration, model);
            inner?.OnIteration(iteration, total, model);
        }

        public void OnEvaluated(long iteration, long total, IReadOnlyList<MemberResult> members) => inner?.OnEvaluated(iteration, total, members);
    }
}
