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
    private readonly IReadOnlyList<LotteryHparams> members;
    private readonly DatasetSplits data;
    private readonly IPruningStrategy pruning = new MagnitudePruning();

    /// <summary>A plain (solo) run.</summary>
    public LotteryRunner(RunStore store, LotteryHparams hp, DatasetSplits data) : this(store, [hp], data) { }

    /// <summary>
    /// A cohort: runs that differ only in initialization (<see cref="Cohorts"/>) trained in lockstep as
    /// one batched model, each stored exactly as its solo run.
    /// </summary>
    public LotteryRunner(RunStore store, IReadOnlyList<LotteryHparams> members, DatasetSplits data)
    {
        foreach (var m in members) Hparams.Validate(m);
        Cohorts.Check(members);
        this.store = store;
        this.members = members;
        this.data = data;
    }

    private LotteryHparams Hp => members[0];

    public string RunDir => store.RunDir(Hp);

    /// <summary>Runs (or resumes) levels 0..<paramref name="levels"/> of seed <paramref name="seed"/> (the first member's summaries).</summary>
    public IReadOnlyList<LevelSummary> Run(long seed, int levels, ILotteryObserver? observer = null, CancellationToken ct = default) =>
        RunCohort(seed, levels, observer, ct)[0];

    /// <summary>Per-member state of a run in progress.</summary>
    private sealed class Member(LotteryHparams hp, string seedDir) : IDisposable
    {
        public LotteryHparams Hp { get; } = hp;
        public string SeedDir { get; } = seedDir;
        public RunLock? Lock { get; set; }
        public LotteryHparams? SourceHp { get; set; }
        public int LastLevel { get; set; }
        public Dictionary<string, Tensor> Initial { get; set; } = new();
        public List<LevelSummary> Summaries { get; } = new();
        public bool Ended { get; set; }
        /// <summary>With --optimizer-state carry (solo runs only): the optimizer continued from level to level.</summary>
        public IFlatOptimizer? Carried { get; set; }

        public void Dispose()
        {
            foreach (var t in Initial.Values) t.Dispose();
            Carried?.Dispose();
            Lock?.Dispose();
        }
    }

    /// <summary>
    /// Runs (or resumes) every member; returns each member's summaries (empty for a member that another
    /// process holds). Members whose level is already done skip it; the others train it together.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<LevelSummary>> RunCohort(long seed, int levels, ILotteryObserver? observer = null, CancellationToken ct = default)
    {
        if (levels < 0) throw new HparamsException("--levels: must be >= 0");
        var runs = members.Select(hp => new Member(hp, store.SeedDir(hp, seed)) { LastLevel = levels }).ToList();
        try
        {
            foreach (var m in runs)
            {
                if (Controls.UsesSourceMasks(m.Hp))
                {
                    // The run whose masks this one uses must exist first; it ends early if it diverged.
                    m.SourceHp = Controls.Source(m.Hp);
                    var source = new LotteryRunner(store, m.SourceHp, data).Run(seed, levels, observer, ct);
                    m.LastLevel = source.Count - 1 - (source[^1].Diverged ? 1 : 0);
                }
                var runDir = store.RunDir(m.Hp);
                Directory.CreateDirectory(runDir);
                var hparamsPath = Path.Combine(runDir, RunStore.HparamsFile);
                if (!File.Exists(hparamsPath)) AtomicFile.WriteText(hparamsPath, Hparams.ToJson(m.Hp));
                m.Lock = RunLock.TryAcquire(m.SeedDir);
                if (m.Lock is null) m.Ended = true;               // another process runs this member
            }
            if (runs.All(m => m.Lock is null)) throw new RunBusyException(runs[0].SeedDir);

            var trainer = new Trainer(Hp.Training, data, seed, Hp.Dataset.Augment);
            long rewindAt = Step.Parse(Hp.Rewind, "rewind").ToIterations(trainer.IterationsPerEpoch);
            if (rewindAt >= trainer.TotalIterations)
                throw new HparamsException($"--rewind: {Hp.Rewind} is not before the end of training ({trainer.TotalIterations} iterations)");

            // Single-member working copies for files, masks and statistics live on the CPU; the trained model
            // lives where the data is (cpu, or cuda when the caller moved the data there).
            using var scratch = NewModel(1, CPU);
            using var scratch2 = NewModel(1, CPU);
            foreach (var m in runs.Where(m => !m.Ended)) m.Initial = LoadOrCreateInit(scratch, m, seed);

            for (int level = 0; level <= levels; level++)
            {
                ct.ThrowIfCancellationRequested();
                var active = new List<Member>();
                foreach (var m in runs.Where(m => !m.Ended))
                {
                    if (level > m.LastLevel) { m.Ended = true; continue; }
                    var summaryPath = Path.Combine(store.LevelDir(m.Hp, seed, level), RunStore.SummaryFile);
                    if (File.Exists(summaryPath))
                    {
                        var done = LevelSummary.Load(summaryPath);
                        m.Summaries.Add(done);
                        observer?.OnLevelDone(done, skipped: true);
                        if (done.Diverged) m.Ended = true;   // a diverged level ends its run
                    }
                    else active.Add(m);
                }
                if (active.Count > 0) TrainLevel(active, scratch, scratch2, trainer, seed, level, rewindAt, observer, ct);
            }
            return runs.Select(m => (IReadOnlyList<LevelSummary>)m.Summaries).ToList();
        }
        finally
        {
            foreach (var m in runs) m.Dispose();
        }
    }

    private IModel NewModel(int k, Device device) => ModelRegistry.Create(Hp.Model, data.Train.ExampleShape, data.Train.NumClasses, k, device);

    /// <summary>Trains one level of every active member together: K = active.Count.</summary>
    private void TrainLevel(List<Member> active, IModel solo, IModel solo2, Trainer trainer, long seed, int level, long rewindAt,
                            ILotteryObserver? observer, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        int k = active.Count;
        using var model = NewModel(k, data.Train.Images.device);
        using var mask = Mask.Dense(model.Layout, model.Device);
        long start = level == 0 ? 0 : rewindAt;
        using (no_grad())
        {
            for (int j = 0; j < k; j++)
            {
                var m = active[j];
                var levelDir = store.LevelDir(m.Hp, seed, level);
                using (var own = LoadOrCreateMask(solo, m, seed, levelDir, level)) CopyMember(own.Flat, solo.Layout, 0, mask.Flat, model.Layout, j);
                if (start == 0) SetMember(model, j, m.Initial);
                else
                {
                    var rewindPath = Path.Combine(m.SeedDir, RunStore.RewindFile(rewindAt));
                    if (!File.Exists(rewindPath)) throw new InvalidDataException($"{rewindPath}: missing rewind point; delete level_0 to recompute it");
                    Load(solo, rewindPath);
                    CopyModelMember(solo, 0, model, j);
                }
            }
        }
        // The winner statistics compare survivors and pruned weights at their starting values, so keep them unmasked.
        using var levelStart = model.Flat.clone();
        mask.Apply(model.Flat);
        IFlatOptimizer? optimizer = null;
        var only = active[0];
        if (k == 1 && only.Hp.OptimizerState == "carry")
        {
            if (only.Carried is null)
            {
                only.Carried = Optimizers.Create(only.Hp.Training, model.Layout.TotalSize, model.Device);
                if (level > 0) LoadOptimizer(only.Carried, Path.Combine(only.SeedDir, $"level_{level - 1}", OptimizerFile));
            }
            optimizer = only.Carried;
        }
        observer?.OnLevelStart(level, model, mask);
        var rewinder = level == 0 && rewindAt > 0
            ? new RewindSaver(rewindAt, active.Select(m => Path.Combine(m.SeedDir, RunStore.RewindFile(rewindAt))).ToList(), solo)
            : null;
        var results = trainer.Train(model, mask, start, new Forwarder(observer, rewinder), ct, optimizer);
        double seconds = clock.Elapsed.TotalSeconds / k;   // wall time per member

        for (int j = 0; j < k; j++)
        {
            var m = active[j];
            var member = results[j];
            var levelDir = store.LevelDir(m.Hp, seed, level);
            Directory.CreateDirectory(levelDir);
            using (no_grad())
            {
                CopyModelMember(model, j, solo, 0);
                CopyMember(levelStart, model.Layout, j, solo2.Flat, solo2.Layout, 0);
            }
            using var ownMask = Mask.Dense(solo.Layout);
            using (no_grad()) CopyMember(mask.Flat, model.Layout, j, ownMask.Flat, solo.Layout, 0);
            Save(solo, Path.Combine(levelDir, RunStore.FinalFile));
            MetricsCsv.Save(Path.Combine(levelDir, RunStore.MetricsFile), member.Metrics);
            if (optimizer is not null) SaveTensors(optimizer.State(), Path.Combine(levelDir, OptimizerFile));
            var winners = WinnerStatistics.Compute(solo2, solo, ownMask, Initializers.Parse(m.Hp.Model.Init));
            AtomicFile.WriteText(Path.Combine(levelDir, WinnersFile), JsonSerializer.Serialize(winners, WinnerJson));
            long? es = member.EarlyStopIteration;
            var summary = new LevelSummary
            {
                Level = level,
                Seed = seed,
                Hash = Hparams.Hash(m.Hp),
                Init = m.Hp.Model.Init,
                Control = m.Hp.Control,
                Density = ownMask.WeightDensity(0),
                LayerDensity = ownMask.LayerDensities(0),
                EarlyStopIteration = es,
                TestAccuracyAtEarlyStop = es is long e ? member.TestAccuracyAt(e) : null,
                ValLossAtEarlyStop = es is long e2 ? member.Metrics.First(x => x.Split == "val" && x.Iteration == e2).Loss : null,
                FinalTestAccuracy = member.Last("test")?.Accuracy,
                FinalValAccuracy = member.Last("val")?.Accuracy,
                FinalTrainLoss = member.Last("train")?.Loss,
                Diverged = member.Diverged,
                DivergedAt = member.DivergedAt,
                StartIteration = start,
                Iterations = trainer.TotalIterations,
                WallSeconds = seconds,
                Threads = TorchRuntime.Threads,
                CohortSize = k,
            };
            AtomicFile.WriteText(Path.Combine(levelDir, RunStore.SummaryFile), summary.ToJson());
            m.Summaries.Add(summary);
            if (summary.Diverged) m.Ended = true;
            observer?.OnLevelDone(summary, skipped: false);
        }
    }

    /// <summary>Copies member <paramref name="from"/> of a flat buffer into member <paramref name="to"/> of another (same parameters).</summary>
    private static void CopyMember(Tensor src, ParameterLayout srcLayout, int from, Tensor dst, ParameterLayout dstLayout, int to)
    {
        foreach (var p in srcLayout.Parameters)
        {
            var q = dstLayout[p.Name];
            dst.narrow(0, q.Offset + to * q.Numel, q.Numel).copy_(src.narrow(0, p.Offset + from * p.Numel, p.Numel));
        }
    }

    private static void SetMember(IModel model, int member, IReadOnlyDictionary<string, Tensor> named)
    {
        foreach (var p in model.Layout.Parameters) model.View(model.Flat, p, member).copy_(named[p.Name]);
        foreach (var b in model.Buffers) model.Buffer(b.Name)[member].copy_(named[b.Name]);
    }

    /// <summary>Copies member <paramref name="from"/> of one model (parameters and buffers) into member <paramref name="to"/> of another.</summary>
    private static void CopyModelMember(IModel src, int from, IModel dst, int to)
    {
        CopyMember(src.Flat, src.Layout, from, dst.Flat, dst.Layout, to);
        foreach (var b in src.Buffers) dst.Buffer(b.Name)[to].copy_(src.Buffer(b.Name)[from]);
    }

    /// <summary>
    /// The iteration-0 weights: the requested scheme's draw from the run seed — or, for the reinit
    /// controls, a fresh draw (with the source run's signs for reinit-signed). Drawn once, saved, and
    /// read back on every resume.
    /// </summary>
    private Dictionary<string, Tensor> LoadOrCreateInit(IModel model, Member m, long seed)
    {
        var path = Path.Combine(m.SeedDir, RunStore.InitFile);
        if (File.Exists(path)) Load(model, path);
        else
        {
            if (m.Hp.Control is "reinit" or "reinit-signed")
            {
                ModelInitializer.ApplyFromGenerator(model, 0, m.Hp.Model, Seeds.For(seed, "reinit"));
                if (m.Hp.Control == "reinit-signed")
                {
                    using var fresh = model.Flat.abs();
                    Load(model, Path.Combine(store.SeedDir(m.SourceHp!, seed), RunStore.InitFile));
                    using var _ = no_grad();
                    using var sign = model.Flat.ge(0).to(ScalarType.Float32).mul_(2).sub_(1);
                    model.Flat.copy_(fresh.mul(sign));
                }
            }
            else ModelInitializer.Apply(model, 0, m.Hp.Model, seed);   // also resets buffers
            Save(model, path);
        }
        return Named(model, 0);
    }

    private Mask LoadOrCreateMask(IModel model, Member m, long seed, string levelDir, int level)
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
            var hp = m.Hp;
            if (m.SourceHp is not null)
            {
                // Controls and transfer: the source run's mask of this level, used as is or randomized.
                using var source = Mask.Dense(model.Layout);
                LoadMask(source, Path.Combine(store.LevelDir(m.SourceHp, seed, level), RunStore.MaskFile));
                if (hp.Control is "random-prune" or "random-prune-global" or "shuffle")
                {
                    using var rng = new Generator(Seeds.For(seed, $"{hp.Control}-level-{level}"));
                    next = RandomMasks.Derive(hp.Control, source, hp.Pruning, rng);
                }
                else next = new Mask(model.Layout, source.Flat.clone());
            }
            else if (hp.OneShot)
            {
                // One-shot: the dense trained network (level 0) pruned straight to this level's density.
                using var dense = Mask.Dense(model.Layout);
                Load(model, Path.Combine(m.SeedDir, "level_0", RunStore.FinalFile));
                next = pruning.Prune(model, dense, PruningRates.ForOneShot(hp.Pruning, level));
            }
            else
            {
                var prevDir = Path.Combine(m.SeedDir, $"level_{level - 1}");
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

    private static readonly JsonSerializerOptions WinnerJson = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Saves member 0's parameters and buffers with PyTorch names.</summary>
    internal static void Save(IModel model, string path) => SaveTensors(Named(model, 0), path);

    /// <summary>Member <paramref name="member"/>'s parameters and buffers as named copies.</summary>
    private static Dictionary<string, Tensor> Named(IModel model, int member)
    {
        var named = model.Layout.Parameters.ToDictionary(p => p.Name, p => model.View(model.Flat, p, member).clone());
        foreach (var b in model.Buffers) named[b.Name] = model.Buffer(b.Name)[member].clone();
        return named;
    }

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
            foreach (var b in model.Buffers)
            {
                if (!named.TryGetValue(b.Name, out var t)) throw new InvalidDataException($"{path}: missing buffer '{b.Name}'");
                model.Buffer(b.Name)[0].copy_(t.reshape(b.Shape));
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

    /// <summary>Saves each member's weights at the rewind iteration during level 0.</summary>
    private sealed class RewindSaver(long at, IReadOnlyList<string> paths, IModel solo)
    {
        public void OnIteration(long iteration, IModel model)
        {
            if (iteration != at) return;
            using var _ = no_grad();
            for (int j = 0; j < paths.Count; j++)
            {
                CopyModelMember(model, j, solo, 0);
                Save(solo, paths[j]);
            }
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
