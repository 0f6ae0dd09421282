using Lth.Data;

namespace Lth.Experiments;

/// <summary>
/// Runs the runs of a sweep plan that are not complete, skipping those another process holds
/// (their lock) — so any number of executors, in one process or many, on one machine or a cluster
/// sharing the runs root, divide a plan between them without coordination and never run one run twice.
/// </summary>
public sealed class SweepExecutor(RunStore store, IReadOnlyList<SweepRun> plan, int levels, Func<DatasetHparams, DatasetSplits> loadData, int cohort = 1)
{
    /// <summary>The units of work: plan entries grouped into cohorts (<see cref="Cohorts.Group"/>); single entries when the cohort size is 1.</summary>
    public IReadOnlyList<List<int>> Units { get; } = Cohorts.Group(plan, cohort);

    /// <summary>Passed to each runner: resume runs whose done levels used another thread count.</summary>
    public bool AllowThreadChange { get; init; }

    /// <summary>Called before a run starts (plan index, run).</summary>
    public Action<int, SweepRun>? RunStarting { get; init; }

    /// <summary>Observer for the run at a plan index (progress); null for none.</summary>
    public Func<int, SweepRun, ILotteryObserver?>? ObserverFor { get; init; }

    /// <summary>
    /// Works through the plan starting at <paramref name="offset"/> (so parallel executors start apart), then passes over
    /// it again while a pass still ran something: a unit skipped because another process held it is taken once that
    /// process has finished it or died (a dead process's lock is gone). A unit this executor ran to its end is not run
    /// again, so this ends. Returns the number of units this executor advanced.
    /// </summary>
    public int RunAll(int offset = 0, CancellationToken ct = default)
    {
        int n = Math.Max(1, Units.Count), total = 0;
        var finished = new HashSet<int>();
        while (true)
        {
            int advanced = RunUnits(Enumerable.Range(0, Units.Count).Select(i => (i + offset) % n).Where(u => !finished.Contains(u)), ct, finished);
            total += advanced;
            if (advanced == 0) return total;
        }
    }

    /// <summary>Runs the given units (e.g. one Slurm array task), skipping those complete or held by another process.</summary>
    public int RunUnits(IEnumerable<int> units, CancellationToken ct = default) => RunUnits(units, ct, null);

    private int RunUnits(IEnumerable<int> units, CancellationToken ct, HashSet<int>? finished)
    {
        int advanced = 0;
        DatasetHparams? loaded = null;
        DatasetSplits? data = null;
        try
        {
            foreach (var u in units)
            {
                ct.ThrowIfCancellationRequested();
                var todo = Units[u].Where(i => !store.IsRunComplete(plan[i].Hparams, plan[i].Seed, levels)).ToList();
                if (todo.Count == 0) continue;
                int i = todo[0];
                var run = plan[i];
                if (data is null || loaded != run.Hparams.Dataset)
                {
                    data?.Dispose();
                    data = loadData(run.Hparams.Dataset);
                    loaded = run.Hparams.Dataset;
                }
                RunStarting?.Invoke(i, run);
                try
                {
                    var observer = ObserverFor?.Invoke(i, run);
                    try { new LotteryRunner(store, todo.Select(j => plan[j].Hparams).ToList(), data) { AllowThreadChange = AllowThreadChange }.RunCohort(run.Seed, levels, observer, ct); }
                    finally { (observer as IDisposable)?.Dispose(); }
                    advanced++;
                    finished?.Add(u);
                }
                catch (RunBusyException) { /* another executor has it */ }
            }
        }
        finally { data?.Dispose(); }
        return advanced;
    }

    /// <summary>Every completed level of every run in the plan, with the run's label.</summary>
    public static List<(SweepRun Run, LevelSummary Summary)> Collect(RunStore store, IReadOnlyList<SweepRun> plan, int levels)
    {
        var rows = new List<(SweepRun, LevelSummary)>();
        foreach (var run in plan)
            for (int l = 0; l <= levels; l++)
            {
                var path = Path.Combine(store.LevelDir(run.Hparams, run.Seed, l), RunStore.SummaryFile);
                if (!File.Exists(path)) break;
                rows.Add((run, LevelSummary.Load(path)));
            }
        return rows;
    }
}
