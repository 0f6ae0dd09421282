using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Lth.Experiments;
using Lth.Native;
using Lth.Reports;
using Spectre.Console;

namespace Lth.Cli.Commands;

/// <summary>
/// <c>lth sweep</c>: a study — a grid of runs × seeds — run with the machine's cores (<c>--jobs</c>
/// worker processes), resumable at any moment, or emitted as a Slurm job array whose tasks share the
/// runs root. Ends with a per-group, per-level table of mean test accuracy with 95% confidence intervals.
/// </summary>
public static class SweepCommand
{
    public static Command Create()
    {
        var sweep = new SweepOptions();
        var common = new CommonOptions();
        var plan = new Option<bool>("--plan") { Description = "print the runs (hash, levels done) and run nothing" };
        var status = new Option<bool>("--status") { Description = "progress of this sweep, read from the runs root alone" };
        var jobs = new Option<int>("--jobs", "-j") { Description = "worker processes [default 1]; threads per worker = cores / jobs unless --threads", DefaultValueFactory = _ => 1 };
        var emit = new Option<string?>("--emit") { Description = "write a cluster script instead of running: slurm" };
        var partition = new Option<string?>("--partition") { Description = "Slurm partition (with --emit slurm)" };
        var time = new Option<string?>("--time") { Description = "Slurm time limit per array task, e.g. 04:00:00 (with --emit slurm)" };
        var cpus = new Option<int>("--cpus-per-task") { Description = "Slurm CPUs per array task (with --emit slurm) [default 2]", DefaultValueFactory = _ => 2 };
        var task = new Option<int?>("--task") { Description = "run only plan entry N (a Slurm array task; default $SLURM_ARRAY_TASK_ID)" };
        var worker = new Option<int?>("--worker") { Description = "internal: run as worker N of a local sweep", Hidden = true };
        var cohort = new Option<int?>("--cohort") { Description = "train up to K runs that differ only in --init together as one batched model (same results, faster) [default: 5 for fully-connected models under 1M weights, else 1]" };

        var cmd = new Command("sweep", "run a study: a grid of lottery runs × seeds, in parallel, resumable, or on Slurm");
        sweep.AddTo(cmd);
        foreach (var o in new Option[] { plan, status, jobs, emit, partition, time, cpus, task, worker, cohort }) cmd.Options.Add(o);
        common.AddTo(cmd);

        cmd.SetAction((r, ct) => Task.FromResult(Cli.Guard(() =>
        {
            var (runs, levels, name) = sweep.Resolve(r);
            var store = common.Store(r);
            // TensorBoard files are per run: with --tensorboard every run trains alone.
            int k = r.GetValue(common.TensorBoard) ? 1 : r.GetValue(cohort) ?? DefaultCohort(runs);
            if (k < 1) return Cli.Fail("--cohort: must be >= 1", ExitCodes.Usage);
            SweepExecutor Executor() => new(store, runs, levels, hp => common.LoadData(r, hp), k);
            if (r.GetValue(plan)) return ShowPlan(store, runs, levels, Executor().Units);
            if (r.GetValue(status)) return ShowStatus(store, runs, levels);
            if (r.GetValue(emit) is string kind)
            {
                if (kind != "slurm") return Cli.Fail($"--emit: '{kind}' is not supported (slurm)", ExitCodes.Usage);
                // Slurm opens each task's --output file before the script runs and does not create its
                // folder (the task dies with "Could not open stdout file"), so make it here, at emit time.
                Directory.CreateDirectory(Path.Combine(store.Root, "slurm"));
                Console.Write(SlurmScript.Create(name, Executor().Units.Count, store.Root, r.GetValue(partition), r.GetValue(time), r.GetValue(cpus)));
                return ExitCodes.Ok;
            }
            bool quiet = r.GetValue(common.Quiet);

            int? taskIndex = r.GetValue(task) ?? (Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID") is string id && r.GetValue(worker) is null && int.TryParse(id, CultureInfo.InvariantCulture, out var t) ? t : null);
            if (taskIndex is int ti)
            {
                var ex = Executor();
                if (ti < 0 || ti >= ex.Units.Count) return Cli.Fail($"--task: {ti} is outside the plan (0..{ex.Units.Count - 1})", ExitCodes.Usage);
                common.Apply(r);
                ex = new SweepExecutor(store, runs, levels, hp => common.LoadData(r, hp), k)
                {
                    AllowThreadChange = r.GetValue(common.AllowThreadChange),
                    ObserverFor = (_, run) => ObserverList.Of(quiet ? null : new LineRunProgress(Console.Out, Namer(runs)), common.TensorBoardFor(r, store.SeedDir(run.Hparams, run.Seed)), TestFault.FromEnvironment()),
                };
                ex.RunUnits([ti], ct);
                return ExitCodes.Ok;
            }
            if (r.GetValue(worker) is int w)
            {
                WorkerProcess.DieWithParent();
                common.Apply(r);
                var ex = new SweepExecutor(store, runs, levels, hp => common.LoadData(r, hp), k)
                {
                    AllowThreadChange = r.GetValue(common.AllowThreadChange),
                    RunStarting = (i, _) => WorkerProtocol.Started(i, Console.Out),
                    ObserverFor = (i, run) => ObserverList.Of(new WorkerProtocol(i, Console.Out), common.TensorBoardFor(r, store.SeedDir(run.Hparams, run.Seed)), TestFault.FromEnvironment()),
                };
                ex.RunAll(offset: w * Math.Max(1, ex.Units.Count / Math.Max(1, r.GetValue(jobs))), ct);
                return ExitCodes.Ok;
            }

            int n = r.GetValue(jobs);
            if (n < 1) return Cli.Fail("--jobs: must be >= 1", ExitCodes.Usage);
            if (!quiet) AnsiConsole.MarkupLine($"[bold]lth sweep[/] {Markup.Escape(name)}: {runs.Count} runs × levels 0..{levels}, {n} worker(s) → {Markup.Escape(store.Root)}");
            int code = n == 1 ? RunInProcess(r, common, store, runs, levels, k, quiet, ct) : RunWorkers(r, common, store, runs, levels, n, k, quiet, ct);
            if (code != ExitCodes.Ok) return code;
            WriteComparison(GroupSummary.Of(SweepExecutor.Collect(store, runs, levels).Select(x => (x.Run.Label, x.Summary))));
            return ExitCodes.Ok;
        })));
        return cmd;
    }

    /// <summary>Cohorts help small fully-connected networks (per-op overhead dominates); convolutional ones are compute-bound.</summary>
    private static int DefaultCohort(List<SweepRun> runs)
    {
        if (runs.Count == 0) return 1;
        var hp = runs[0].Hparams;
        var (shape, classes) = TicketExport.ModelShapes(hp);
        using var model = Models.ModelRegistry.Create(hp.Model, shape, classes);
        // Five: the seed study's ten schemes per seed become two equal cohorts, one per worker with --jobs 2;
        // at high pruning levels, where per-operation overhead dominates, a member of a cohort of 5 steps
        // ~6% faster than one of 4 (bench/ --profile). Convolutional networks are compute-bound: alone.
        return model is Models.LeNet && model.Layout.ParameterCount < 1_000_000 ? 5 : 1;
    }

    private static int RunInProcess(ParseResult r, CommonOptions common, RunStore store, List<SweepRun> runs, int levels, int k, bool quiet, CancellationToken ct)
    {
        common.Apply(r);
        var ex = new SweepExecutor(store, runs, levels, hp => common.LoadData(r, hp), k)
        {
            AllowThreadChange = r.GetValue(common.AllowThreadChange),
            RunStarting = (i, run) => { if (!quiet) AnsiConsole.MarkupLine($"[bold]run {i + 1}/{runs.Count}[/] {Markup.Escape(run.Label)} seed {run.Seed} [grey]{run.Hash}[/]{(k > 1 ? " (with its cohort)" : "")}"); },
            ObserverFor = (_, run) => ObserverList.Of(quiet ? null : new LineRunProgress(Console.Out, Namer(runs)), common.TensorBoardFor(r, store.SeedDir(run.Hparams, run.Seed)), TestFault.FromEnvironment()),
        };
        ex.RunAll(0, ct);
        return Incomplete(store, runs, levels) == 0 ? ExitCodes.Ok
            : Cli.Fail($"{Incomplete(store, runs, levels)} runs are held by another lth process; run again when it is done", ExitCodes.Data);
    }

    /// <summary>Names the run a level summary belongs to (in a cohort every member reports under its own name).</summary>
    private static Func<LevelSummary, string> Namer(List<SweepRun> runs)
    {
        var index = SweepDisplay.RunIndex(runs);
        return s => index.TryGetValue((s.Hash, s.Seed), out var i) ? SweepDisplay.Name(runs[i]) : $"run {s.Hash} seed {s.Seed}";
    }

    private static int Incomplete(RunStore store, List<SweepRun> runs, int levels) => runs.Count(x => !store.IsRunComplete(x.Hparams, x.Seed, levels));

    /// <summary>
    /// Runs the sweep in <paramref name="jobs"/> worker processes that share the plan (<see cref="WorkerPool"/>): a worker
    /// that crashes is replaced at once in its slot while units are left, within a budget; a failure that would repeat
    /// (usage, data) stops the sweep at once with its reason.
    /// </summary>
    private static int RunWorkers(ParseResult r, CommonOptions common, RunStore store, List<SweepRun> runs, int levels, int jobs, int k, bool quiet, CancellationToken ct)
    {
        int threads = r.GetValue(common.Threads) ?? Math.Max(1, Environment.ProcessorCount / jobs);
        var baseArgs = CommandLineArgs.Without("--jobs", "-j", "--threads");
        int totalLevels = runs.Count * (levels + 1);
        var cohortSizes = Cohorts.Group(runs, k).ToDictionary(g => g[0], g => g.Count);
        var display = new SweepDisplay(runs, totalLevels, SweepExecutor.Collect(store, runs, levels).Count, quiet, cohortSizes);
        Process Start(int w)
        {
            display.Forget(w);
            return WorkerProcess.Start([.. baseArgs, "--worker", w.ToString(CultureInfo.InvariantCulture), "--jobs", jobs.ToString(CultureInfo.InvariantCulture), "--threads", threads.ToString(CultureInfo.InvariantCulture)],
                line => display.OnLine(w, line));
        }
        string? Where(int w)
        {
            if (display.Position(w) is not (int i, int level)) return null;
            var run = runs[i];
            return $"{SweepDisplay.Name(run)}{(level >= 0 ? $" level {level}" : "")} ({store.SeedDir(run.Hparams, run.Seed)})";
        }
        using (var pool = new WorkerPool(jobs, Start, () => Incomplete(store, runs, levels) > 0, Where, Console.Error))
        {
            pool.StartAll();
            display.Wait(jobs, pool.Poll, ct);
            pool.StopAll();
            ct.ThrowIfCancellationRequested();
            if (pool.Stopped is var (code, message)) return Cli.Fail(message, code);
        }
        int left = Incomplete(store, runs, levels);
        return left == 0 ? ExitCodes.Ok : Cli.Fail($"{left} runs are held by another lth process; run again when it is done", ExitCodes.Data);
    }

    private static int ShowPlan(RunStore store, List<SweepRun> runs, int levels, IReadOnlyList<List<int>> units)
    {
        var unitOf = new int[runs.Count];
        for (int u = 0; u < units.Count; u++) foreach (var i in units[u]) unitOf[i] = u;
        var t = new Table().Border(TableBorder.Simple).AddColumns("#", "task", "run", "seed", "hash", "levels done");
        for (int i = 0; i < runs.Count; i++)
        {
            var x = runs[i];
            t.AddRow(i.ToString(CultureInfo.InvariantCulture), unitOf[i].ToString(CultureInfo.InvariantCulture), Markup.Escape(x.Label), x.Seed.ToString(CultureInfo.InvariantCulture), x.Hash,
                     store.IsRunComplete(x.Hparams, x.Seed, levels) ? "complete" : $"{Math.Min(store.CompletedLevels(x.Hparams, x.Seed), levels + 1)}/{levels + 1}");
        }
        AnsiConsole.Write(t);
        AnsiConsole.MarkupLine($"{runs.Count} runs × {levels + 1} levels in {units.Count} tasks (cohorts of runs that differ only in init) under {Markup.Escape(store.Root)}");
        return ExitCodes.Ok;
    }

    private static int ShowStatus(RunStore store, List<SweepRun> runs, int levels)
    {
        int complete = 0, running = 0, started = 0, levelsDone = 0;
        foreach (var x in runs)
        {
            levelsDone += Math.Min(store.CompletedLevels(x.Hparams, x.Seed), levels + 1);
            if (store.IsRunComplete(x.Hparams, x.Seed, levels)) { complete++; continue; }
            var dir = store.SeedDir(x.Hparams, x.Seed);
            if (!Directory.Exists(dir)) continue;
            using var probe = RunLock.TryAcquire(dir);
            if (probe is null) running++; else started++;
        }
        AnsiConsole.MarkupLine($"{complete}/{runs.Count} runs complete, {running} running, {started} started and stopped, {runs.Count - complete - running - started} not started; {levelsDone}/{runs.Count * (levels + 1)} levels done");
        return ExitCodes.Ok;
    }

    private static void WriteComparison(List<GroupLevel> rows)
    {
        var t = new Table().Border(TableBorder.Simple).AddColumns("group", "level", "% weights", "n", "test acc @ early stop (mean)", "95% CI", "early-stop it (mean)");
        foreach (var x in rows)
            t.AddRow(Markup.Escape(x.Group), x.Level.ToString(CultureInfo.InvariantCulture), (x.Density * 100).ToString("0.0", CultureInfo.InvariantCulture),
                x.TestAccuracy.N.ToString(CultureInfo.InvariantCulture) + (x.Diverged > 0 ? $" (+{x.Diverged} diverged)" : ""),
                x.TestAccuracy.Mean.ToString("0.0000", CultureInfo.InvariantCulture),
                double.IsNaN(x.TestAccuracy.Low) ? "-" : Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"[{x.TestAccuracy.Low:0.0000}, {x.TestAccuracy.High:0.0000}]")),
                x.EarlyStop.Mean.ToString("0", CultureInfo.InvariantCulture));
        AnsiConsole.Write(t);
    }
}
