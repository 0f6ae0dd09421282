using System.Globalization;
using Lth.Experiments;
using Spectre.Console;

namespace Lth.Cli;

/// <summary>
/// One progress display for a sweep run by worker processes: levels done of all levels (with ETA)
/// and, per worker, its run, level and iteration — fed by the workers' protocol lines.
/// </summary>
public sealed class SweepDisplay(IReadOnlyList<SweepRun> runs, int totalLevels, int alreadyDone, bool quiet, IReadOnlyDictionary<int, int>? cohortSizes = null)
{
    private readonly IReadOnlyDictionary<int, int> cohorts = cohortSizes ?? new Dictionary<int, int>();
    private readonly object gate = new();
    private readonly Dictionary<int, (int Run, int Level, long It, long Total)> workers = new();
    private int done = alreadyDone;
    private readonly bool live = !quiet && AnsiConsole.Profile.Capabilities.Interactive;
    private readonly Dictionary<(string Hash, long Seed), int> byRun = RunIndex(runs);

    /// <summary>Plan index by (hash, seed): how a level reported by a cohort member finds its own run.</summary>
    public static Dictionary<(string Hash, long Seed), int> RunIndex(IReadOnlyList<SweepRun> runs)
    {
        var index = new Dictionary<(string, long), int>();
        for (int i = 0; i < runs.Count; i++) index.TryAdd((runs[i].Hash, runs[i].Seed), i);
        return index;
    }

    /// <summary>"label seed S": how progress lines name a run.</summary>
    public static string Name(SweepRun run) => $"{run.Label} seed {run.Seed.ToString(CultureInfo.InvariantCulture)}";

    public void OnLine(int worker, string line)
    {
        var m = WorkerProtocol.Parse(line);
        if (m is null) return;
        lock (gate)
        {
            switch (m.Kind)
            {
                case "start":
                    workers[worker] = (m.Index, -1, 0, 1);
                    break;
                case "begin" when m.Fields.Length >= 1:
                    workers[worker] = (m.Index, int.Parse(m.Fields[0], CultureInfo.InvariantCulture), 0,
                                       workers.TryGetValue(worker, out var was) && was.Run == m.Index ? was.Total : 1);
                    break;
                case "it" when m.Fields.Length >= 3:
                    workers[worker] = (m.Index, int.Parse(m.Fields[0], CultureInfo.InvariantCulture),
                                       long.Parse(m.Fields[1], CultureInfo.InvariantCulture), long.Parse(m.Fields[2], CultureInfo.InvariantCulture));
                    break;
                case "level" when m.Fields.Length >= 5:
                    bool skipped = m.Fields[3] == "1";
                    if (!skipped) done++;
                    if (!live && !quiet && !skipped)
                    {
                        int run = m.Fields.Length >= 6 && byRun.TryGetValue((m.Fields[5], runs[m.Index].Seed), out var own) ? own : m.Index;
                        double density = double.Parse(m.Fields[1], CultureInfo.InvariantCulture), acc = double.Parse(m.Fields[2], CultureInfo.InvariantCulture);
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"[{done}/{totalLevels}] {Name(runs[run])} level {m.Fields[0]}: {density * 100:0.0}% weights, test acc {acc:0.0000}{(m.Fields[4] == "1" ? " DIVERGED" : "")}"));
                    }
                    break;
            }
        }
    }

    /// <summary>
    /// Where a worker is: the plan index of the run it started last and the level in training (-1 before its first
    /// level started); null before it started a run.
    /// </summary>
    public (int Run, int Level)? Position(int worker)
    {
        lock (gate) return workers.TryGetValue(worker, out var s) ? (s.Run, s.Level) : null;
    }

    /// <summary>Forgets a worker's position (its process exited; the slot's next process reports afresh).</summary>
    public void Forget(int worker)
    {
        lock (gate) workers.Remove(worker);
    }

    /// <summary>
    /// Shows progress for <paramref name="slots"/> workers while <paramref name="poll"/> (called every ~¼ s; it
    /// handles workers that exited) returns true and <paramref name="ct"/> is not cancelled.
    /// </summary>
    public void Wait(int slots, Func<bool> poll, CancellationToken ct)
    {
        bool Running() => !ct.IsCancellationRequested && poll();
        if (!live)
        {
            while (Running()) Thread.Sleep(200);
            return;
        }
        AnsiConsole.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var overall = ctx.AddTask("levels done", new ProgressTaskSettings { MaxValue = totalLevels });
                overall.Value = done;
                var tasks = Enumerable.Range(0, slots).Select(i => ctx.AddTask($"worker {i}", new ProgressTaskSettings { MaxValue = 1 })).ToList();
                while (Running())
                {
                    lock (gate)
                    {
                        overall.Value = done;
                        foreach (var (w, s) in workers)
                        {
                            if (w >= tasks.Count) continue;
                            tasks[w].MaxValue = Math.Max(1, s.Total);
                            tasks[w].Value = s.It;
                            tasks[w].Description = $"worker {w}: {Markup.Escape(Name(runs[s.Run]))}{(cohorts.TryGetValue(s.Run, out var size) && size > 1 ? $" and {size - 1} more (a cohort)" : "")}{(s.Level >= 0 ? $" [grey]level {s.Level}[/]" : "")}";
                        }
                    }
                    Thread.Sleep(250);
                }
                lock (gate) overall.Value = done;
            });
    }
}
