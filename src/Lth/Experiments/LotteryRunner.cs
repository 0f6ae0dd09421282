using System.Diagnostics;
using Lth.Data;
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
/// Every stage checks whether its output exists and skips it, so a killed run resumes at the level
/// it was in and produces the same bits as an uninterrupted run.
/// </summary>
public sealed class LotteryRunner
{
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
        using var initial = LoadOrCreateInit(model, seedDir, seed);
        var summaries = new List<LevelSummary>();
        for (int level = 0; level <= levels; level++)
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
            else summary = RunLevel(model, trainer, initial, seedDir, levelDir, seed, level, rewindAt, observer, ct);
            summaries.Add(summary);
            // A diverged level (NaN/inf loss) has no meaningful weights to prune: the run ends there, recorded as diverged.
            if (summary.Diverged) break;
        }
        return summaries;
    }

    private LevelSummary RunLevel(IModel model, Trainer trainer, Tensor initial, string seedDir, string levelDir, long seed, int level,
                                  long rewindAt, ILotteryObserver? observer, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        using var mask = LoadOrCreateMask(model, seedDir, levelDir, level);
        long start = level == 0 ? 0 : rewindAt;
        var rewindPath = Path.Combine(seedDir, RunStore.RewindFile(rewindAt));
        using (no_grad())
        {
            if (start == 0) model.Flat.copy_(initial);
            else
            {
                if (!File.Exists(rewindPath)) throw new InvalidDataException($"{rewindPath}: missing rewind point; delete level_0 to recompute it");
                Load(model, rewindPath);
            }
            model.Flat.mul_(mask.Flat);
        }
        observer?.OnLevelStart(level, model, mask);
        var rewinder = level == 0 && rewindAt > 0 ? new RewindSaver(rewindAt, rewindPath) : null;
        var member = trainer.Train(model, mask, start, new Forwarder(observer, rewinder), ct)[0];

        Directory.CreateDirectory(levelDir);
        Save(model, Path.Combine(levelDir, RunStore.FinalFile));
        MetricsCsv.Save(Path.Combine(levelDir, RunStore.MetricsFile), member.Metrics);
        long? es = member.EarlyStopIteration;
        var summary = new LevelSummary
        {
            Level = level,
            Seed = seed,
            Hash = Hparams.Hash(hp),
            Init = hp.Model.Init,
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
            Iterations = trainer.TotalIterations,
            WallSeconds = clock.Elapsed.TotalSeconds,
            Threads = TorchRuntime.Threads,
        };
        AtomicFile.WriteText(Path.Combine(levelDir, RunStore.SummaryFile), summary.ToJson());
        observer?.OnLevelDone(summary, skipped: false);
        return summary;
    }

    /// <summary>The iteration-0 weights of the requested scheme: drawn once, saved, and read back on every resume.</summary>
    private Tensor LoadOrCreateInit(IModel model, string seedDir, long seed)
    {
        var path = Path.Combine(seedDir, RunStore.InitFile);
        if (File.Exists(path)) Load(model, path);
        else
        {
            ModelInitializer.Apply(model, 0, hp.Model, seed);
            Save(model, path);
        }
        return model.Flat.clone();
    }

    private Mask LoadOrCreateMask(IModel model, string seedDir, string levelDir, int level)
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
            var prevDir = Path.Combine(seedDir, $"level_{level - 1}");
            using var previous = Mask.Dense(model.Layout);
            LoadMask(previous, Path.Combine(prevDir, RunStore.MaskFile));
            Load(model, Path.Combine(prevDir, RunStore.FinalFile));
            var next = pruning.Prune(model, previous, hp.Pruning);
            mask.Dispose();
            mask = next;
        }
        Directory.CreateDirectory(levelDir);
        var named = mask.ToNamed(0);
        TensorFile.Save(path, named);
        foreach (var t in named.Values) t.Dispose();
        return mask;
    }

    internal static void Save(IModel model, string path)
    {
        var named = model.Layout.Parameters.ToDictionary(p => p.Name, p => model.View(model.Flat, p, 0).clone());
        TensorFile.Save(path, named);
        foreach (var t in named.Values) t.Dispose();
    }

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

    private static void LoadMask(Mask mask, string path)
    {
        var named = TensorFile.Load(path);
        try { mask.LoadNamed(named, 0); }
        finally { foreach (var t in named.Values) t.Dispose(); }
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
