using System.Diagnostics;
using System.Globalization;
using Lth.Experiments;
using Spectre.Console;

namespace Lth.Cli;

/// <summary>
/// One progress display for a sweep run by worker processes: levels done of all levels (with ETA)
/// and, per worker, its run, level and iteration — fed by the workers' protocol lines.
/// </summary>
public sealed class SweepDisplay(IReadOnlyList<SweepRun> runs, int totalLevels, int alreadyDone, bool quiet)
{
    private readonly object gate = new();
    private readonly Dictionary<int, (int Run, int Level, long It, long Total)> workers = new();
    private int done = alreadyDone;
    private readonly bool live = !quiet && AnsiConsole.Profile.Capabilities.Interactive;

    public void OnLine(int worker, string line)
    {
        var m = WorkerProtocol.Parse(line);
        if (m is null) return;
        lock (gate)
        {
            switch (m.Kind)
            {
                case "start":
                    workers[worker] = (m.Index, 0, 0, 1);
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
                        double density = double.Parse(m.Fields[1], CultureInfo.InvariantCulture), acc = double.Parse(m.Fields[2], CultureInfo.InvariantCulture);
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"[{done}/{totalLevels}] {runs[m.Index].Label} seed {runs[m.Index].Seed} level {m.Fields[0]}: {density * 100:0.0}% weights, test acc {acc:0.0000}{(m.Fields.Length > 4 && m.Fields[4] == "1" ? " DIVERGED" : "")}"));
                    }
                    break;
            }
        }
    }

    /// <summary>Shows progress until every worker has exited or <paramref name="ct"/> is cancelled.</summary>
    public void Wait(IReadOnlyList<Process> procs, CancellationToken ct)
    {
        bool Running() => !ct.IsCancellationRequested && procs.Any(p => !p.HasExited);
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
                var tasks = procs.Select((_, i) => ctx.AddTask($"worker {i}", new ProgressTaskSettings { MaxValue = 1 })).ToList();
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
                            tasks[w].Description = $"worker {w}: {Markup.Escape(runs[s.Run].Label)} seed {runs[s.Run].Seed} [grey]level {s.Level}[/]";
                        }
                    }
                    Thread.Sleep(250);
                }
                lock (gate) overall.Value = done;
            });
    }
}
