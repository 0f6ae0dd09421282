using System.Diagnostics;
using Lth.Data;
using Lth.Models;
using Lth.Pruning;
using Lth.Training;
using static TorchSharp.torch;

namespace Lth.Experiments;

/// <summary>
/// Iterative pruning with resetting (Frankle &amp; Carbin 2019), one seed, one or more runs in lockstep:
/// level 0 trains the dense network from the saved initial weights; each next level takes a mask
/// (<see cref="LevelMasks"/>: by default magnitude pruning of the previous level's trained weights), resets the
/// survivors to their iteration-0 values (or their values at the rewind iteration), and retrains.
/// Variants, each its own hparam and so its own run: one-shot pruning, a carried optimizer, another pruning
/// strategy, and runs that take their masks from another run (the controls and ticket transfer).
/// Every stage checks whether its output exists and skips it, so a killed run resumes at the level
/// it was in and produces the same bits as an uninterrupted run. An unexpected error while a level trains (a bug,
/// not bad input or files) comes out as a <see cref="LevelFailedException"/> naming the seed folder and level.
/// </summary>
public sealed class LotteryRunner
{
    private readonly RunStore store;
    private readonly IReadOnlyList<LotteryHparams> members;
    private readonly DatasetSplits data;
    private readonly LevelMasks masks;
    /// <summary>The fixed training subset instability paths are evaluated on, once a level measures it; disposed with the run.</summary>
    private Data.Dataset? trainSubset;

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
        masks = new LevelMasks(store, data);
    }

    private LotteryHparams Hp => members[0];

    /// <summary>
    /// Resume a run with another thread count than its done levels recorded. Off by default: libtorch's reductions
    /// split by thread, so the resumed levels would match neither an uninterrupted run at the old nor at the new count.
    /// </summary>
    public bool AllowThreadChange { get; init; }

    public string RunDir => store.RunDir(Hp);

    /// <summary>Runs (or resumes) levels 0..<paramref name="levels"/> of seed <paramref name="seed"/> (the first member's summaries).</summary>
    public IReadOnlyList<LevelSummary> Run(long seed, int levels, ILotteryObserver? observer = null, CancellationToken ct = default) =>
        RunCohort(seed, levels, observer, ct)[0];

    /// <summary>
    /// Runs (or resumes) every member; returns each member's summaries (empty for a member that another
    /// process holds). Members whose level is already done skip it; the others train it together.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<LevelSummary>> RunCohort(long seed, int levels, ILotteryObserver? observer = null, CancellationToken ct = default)
    {
        if (levels < 0) throw new HparamsException("--levels: must be >= 0");
        var trainer = new Trainer(Hp.Training, data, seed, Hp.Dataset.Augment);
        long rewindAt = RewindIteration(trainer);   // checked before anything is written
        CheckLevels(levels);
        var runs = members.Select(hp => new RunMember(hp, store.SeedDir(hp, seed), levels)).ToList();
        try
        {
            foreach (var m in runs) Open(m, seed, levels, observer, ct);
            if (runs.All(m => m.Lock is null && !m.Complete)) throw new RunBusyException(runs[0].SeedDir);
            // One-member working copies for files, masks and statistics live on the CPU; the trained model
            // lives where the data is (cpu, or cuda when the caller moved the data there).
            using var scratch = NewModel(1, CPU);
            using var scratch2 = NewModel(1, CPU);
            foreach (var m in runs.Where(m => !m.Ended && !m.Complete)) m.Initial = InitialWeights.LoadOrCreate(scratch, m, store, seed);
            for (int level = 0; level <= levels; level++)
            {
                ct.ThrowIfCancellationRequested();
                var active = runs.Where(m => !m.Ended && !AlreadyDone(m, level, observer)).ToList();
                foreach (var m in active) CheckThreads(m);
                if (active.Count == 0) continue;
                try { TrainLevel(active, scratch, scratch2, trainer, seed, level, rewindAt, observer, ct); }
                catch (Exception e) when (!LevelFailedException.IsExpected(e))
                {
                    // A bug: say which run and level it hit, so that its folder (and the crash log the CLI writes there) can be found.
                    throw new LevelFailedException(active.Select(m => m.SeedDir).ToList(), level, e);
                }
            }
            return runs.Select(m => (IReadOnlyList<LevelSummary>)m.Summaries).ToList();
        }
        finally
        {
            foreach (var m in runs) m.Dispose();
            trainSubset?.Dispose();
            trainSubset = null;
        }
    }

    /// <summary>
    /// Refuses levels past the first one where the schedule's counts leave a pruned layer with no weight: that level
    /// still trains (to chance) and records the collapse; every later one would repeat it.
    /// </summary>
    private void CheckLevels(int levels)
    {
        using var probe = NewModel(1, CPU);
        bool fromDense = Hp.OneShot || PruningStrategies.Get(Hp.Pruning.Strategy).AtInit;
        if (ScorePruning.FirstEmptyLevel(probe.Layout, Hp.Pruning, fromDense, levels) is (int level, string tensors) && level < levels)
            throw new HparamsException($"--levels: {levels} goes past level {level}, where {tensors} has no weight left at these rates (that level trains to chance; later ones would repeat it); use --levels {level} or less");
    }

    private long RewindIteration(Trainer trainer)
    {
        long at = Step.Parse(Hp.Rewind, "rewind").ToIterations(trainer.IterationsPerEpoch);
        if (at >= trainer.TotalIterations)
            throw new HparamsException($"--rewind: {Hp.Rewind} is not before the end of training ({trainer.TotalIterations} iterations)");
        return at;
    }

    /// <summary>Runs the source run first (controls, transfer), writes hparams.json and takes the member's lock.</summary>
    private void Open(RunMember m, long seed, int levels, ILotteryObserver? observer, CancellationToken ct)
    {
        if (Controls.UsesSourceMasks(m.Hp))
        {
            // The run whose masks this one uses must exist first; it ends early if it diverged.
            m.SourceHp = Controls.Source(m.Hp);
            var source = new LotteryRunner(store, m.SourceHp, data).Run(seed, levels, observer, ct);
            m.LastLevel = source.Count - 1 - (source[^1].Diverged ? 1 : 0);
        }
        // A finished run is only read: no lock, no write (so a finished study can be read from a read-only copy).
        if (store.IsRunComplete(m.Hp, seed, m.LastLevel)) { m.Complete = true; return; }
        var runDir = store.RunDir(m.Hp);
        var hparamsPath = Path.Combine(runDir, RunStore.HparamsFile);
        try
        {
            Directory.CreateDirectory(runDir);
            if (!File.Exists(hparamsPath)) AtomicFile.WriteText(hparamsPath, Hparams.ToJson(m.Hp));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw StoreErrors.Writing(hparamsPath, e); }
        CheckStoredHparams(runDir, hparamsPath);
        m.Lock = RunLock.TryAcquire(m.SeedDir);
        if (m.Lock is null) { m.Ended = true; return; }   // another process runs this member
        // Holding the lock, no one else writes here: a temporary file left by a killed write is stale.
        foreach (var stale in Directory.EnumerateFiles(m.SeedDir, ".*.tmp-*", SearchOption.AllDirectories)) File.Delete(stale);
    }

    /// <summary>A run folder whose <c>hparams.json</c> no longer names it (edited after the run) is not resumed: its levels would be filed under hparams they were not trained with.</summary>
    private static void CheckStoredHparams(string runDir, string hparamsPath)
    {
        string json;
        LotteryHparams stored;
        try { json = File.ReadAllText(hparamsPath); stored = Hparams.FromJson(json, source: hparamsPath); }
        catch (HparamsException e) { throw new InvalidDataException($"{hparamsPath}: not valid hparams ({e.Message}); {StoredFiles.RedoLevel(runDir)}", e); }
        if (!RunStore.IsNamedBy(runDir, json, stored))
            throw new InvalidDataException($"{hparamsPath}: hashes to {RunStore.RunPrefix}{Hparams.Hash(stored)}, not its folder's name (edited after the run?); restore it, or {StoredFiles.RedoLevel(runDir)}");
    }

    /// <summary>Whether the member skips this level: past its last level, or done before (then its summary is taken as is).</summary>
    private static bool AlreadyDone(RunMember m, int level, ILotteryObserver? observer)
    {
        if (level > m.LastLevel) { m.Ended = true; return true; }
        var summaryPath = RunStore.SummaryIn(m.LevelDir(level));
        if (!File.Exists(summaryPath)) return false;
        var done = LevelSummary.Load(summaryPath);
        m.Summaries.Add(done);
        observer?.OnLevelDone(done, skipped: true);
        if (done.Diverged) m.Ended = true;   // a diverged level ends its run
        return true;
    }

    /// <summary>The determinism contract: a resumed run keeps the thread count its done levels were trained with.</summary>
    private void CheckThreads(RunMember m)
    {
        if (AllowThreadChange || m.Summaries.Count == 0 || m.Summaries[^1].Threads == Native.TorchRuntime.Threads) return;
        var last = m.Summaries[^1];
        throw new HparamsException($"--threads: {m.SeedDir} trained levels 0..{last.Level} with {last.Threads} thread(s); resuming with {Native.TorchRuntime.Threads} would match neither an uninterrupted run (rerun with --threads {last.Threads}, or add --allow-thread-change to accept it)");
    }

    private IModel NewModel(int k, Device device) => ModelRegistry.Create(Hp.Model, data.Train.ExampleShape, data.Train.NumClasses, k, device);

    /// <summary>Trains one level of every active member together (K = active.Count) and records each member's result.</summary>
    private void TrainLevel(List<RunMember> active, IModel scratch, IModel scratch2, Trainer trainer, long seed, int level, long rewindAt,
                            ILotteryObserver? observer, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        int k = active.Count;
        using var model = NewModel(k, data.Train.Images.device);
        using var mask = Mask.Dense(model.Layout, model.Device);
        long start = level == 0 ? 0 : rewindAt;
        Pack(active, model, mask, scratch, seed, level, start);
        // The winner statistics compare survivors and pruned weights at their starting values, so keep them unmasked.
        using var levelStart = model.Flat.clone();
        mask.Apply(model.Flat);
        bool instability = Instability.At(Hp, level);
        var startSnapshot = instability ? Instability.Snapshot(model) : default;
        var optimizer = CarriedOptimizer(active, model, level);
        observer?.OnLevelStart(level, model, mask);
        var rewinder = level == 0 && rewindAt > 0
            ? new RewindSaver(rewindAt, active.Select(m => Path.Combine(m.SeedDir, RunStore.RewindFile(rewindAt))).ToList(), scratch)
            : null;
        long dataOffset = Hp.DataOrder == DataOrderMode.Continuous ? level * trainer.TotalIterations : 0;
        var results = trainer.Train(model, mask, start, new TrainingForwarder(observer, rewinder), ct, optimizer, dataOffset);
        var paths = instability
            ? MeasureInstability(active, model, mask, startSnapshot, scratch, seed, level, level == 0 ? rewindAt : start, dataOffset, observer, ct)
            : null;
        double seconds = clock.Elapsed.TotalSeconds / k;   // wall time per member

        var recorder = new LevelRecorder(scratch, scratch2, data.Files);
        for (int j = 0; j < k; j++)
        {
            var summary = recorder.Record(active[j], seed, level,
                new(model, mask, levelStart, j, results[j], optimizer, start, trainer.TotalIterations, seconds, k, paths?[j]));
            active[j].Summaries.Add(summary);
            if (summary.Diverged) active[j].Ended = true;
            observer?.OnLevelDone(summary, skipped: false);
        }
    }

    /// <summary>
    /// <see cref="Instability"/>: with the model holding the level's trained weights (the first copy), trains the second
    /// copy of every member from <paramref name="copyStart"/> (the level's start; at level 0 with a rewind point, the
    /// stored weights at that iteration) with another data order, evaluates the path between the two, writes each
    /// member's <c>instability.csv</c> and leaves the model holding the first copy again.
    /// </summary>
    private InstabilityResult[] MeasureInstability(List<RunMember> active, IModel model, Mask mask, (Tensor Flat, Tensor[] Buffers) levelStart,
        IModel scratch, long seed, int level, long copyStart, long dataOffset, ILotteryObserver? observer, CancellationToken ct)
    {
        var first = Instability.Snapshot(model);
        using var firstFlat = first.Flat;
        using (no_grad())
        {
            model.Flat.copy_(levelStart.Flat);
            for (int i = 0; i < first.Buffers.Length; i++) model.Buffer(model.Buffers[i].Name).copy_(levelStart.Buffers[i]);
            if (level == 0 && copyStart > 0)
                for (int j = 0; j < active.Count; j++)
                {
                    WeightFiles.Load(scratch, Path.Combine(active[j].SeedDir, RunStore.RewindFile(copyStart)));
                    CohortCopy.ModelMember(scratch, 0, model, j);
                }
        }
        levelStart.Flat.Dispose();
        foreach (var t in levelStart.Buffers) t.Dispose();
        var copyTrainer = new Trainer(Hp.Training, data, Instability.CopySeed(seed), Hp.Dataset.Augment);
        var copy = copyTrainer.Train(model, mask, copyStart, new TrainingForwarder(observer, null), ct, null, dataOffset);
        var second = Instability.Snapshot(model);
        using var secondFlat = second.Flat;
        trainSubset ??= Instability.FixedTrainSubset(data.Train);   // the same images at every level: drawn once per runner
        var paths = Instability.Path(model, first, second, Hp.InterpPoints, data.Test, trainSubset);
        foreach (var t in first.Buffers.Concat(second.Buffers)) t.Dispose();
        var results = new InstabilityResult[active.Count];
        for (int j = 0; j < active.Count; j++)
        {
            Directory.CreateDirectory(active[j].LevelDir(level));
            var digest = Instability.WriteCsv(Path.Combine(active[j].LevelDir(level), Instability.CsvFile), paths[j]);
            results[j] = new InstabilityResult(Finite(Instability.Barrier(paths[j], "test")), Finite(Instability.Barrier(paths[j], "train")),
                copy[j].Last("test")?.Accuracy, copyStart, copy[j].Diverged, digest);
        }
        return results;
    }

    private static double? Finite(double x) => double.IsFinite(x) ? x : null;

    /// <summary>Puts each member's mask and starting weights (initial, or rewound) into its slot of the cohort model.</summary>
    private void Pack(List<RunMember> active, IModel model, Mask mask, IModel scratch, long seed, int level, long start)
    {
        using var _ = no_grad();
        for (int j = 0; j < active.Count; j++)
        {
            var m = active[j];
            using (var own = masks.Create(scratch, m, seed, level, j)) CohortCopy.Member(own.Flat, scratch.Layout, 0, mask.Flat, model.Layout, j);
            if (start == 0) { CohortCopy.Set(model, j, m.Initial); continue; }
            var rewindPath = Path.Combine(m.SeedDir, RunStore.RewindFile(start));
            if (!File.Exists(rewindPath)) throw new InvalidDataException($"{rewindPath}: missing rewind point; delete level_0 to recompute it");
            WeightFiles.Load(scratch, StoredFiles.Seed(m.SeedDir, RunStore.RewindFile(start)));
            CohortCopy.ModelMember(scratch, 0, model, j);
        }
    }

    /// <summary>With --optimizer-state carry (solo runs): the optimizer continued from the previous level, restored from its file on resume.</summary>
    private static IFlatOptimizer? CarriedOptimizer(List<RunMember> active, IModel model, int level)
    {
        var only = active[0];
        if (active.Count != 1 || only.Hp.OptimizerState != OptimizerState.Carry) return null;
        if (only.Carried is null)
        {
            only.Carried = Optimizers.Create(only.Hp.Training, model.Layout.TotalSize, model.Device);
            var path = Path.Combine(only.LevelDir(level - 1), RunStore.OptimizerFile);
            if (level > 0) WeightFiles.LoadOptimizer(only.Carried, File.Exists(path) ? StoredFiles.Level(only.LevelDir(level - 1), RunStore.OptimizerFile) : path);
        }
        return only.Carried;
    }
}
