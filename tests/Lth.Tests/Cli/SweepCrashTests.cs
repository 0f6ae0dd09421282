using System.Diagnostics;
using Lth.Cli;
using Lth.Experiments;

namespace Lth.Tests.Cli;

/// <summary>
/// Crashes in a local sweep are contained and found: a dead worker is replaced at once in its slot (the sweep keeps its
/// width and ends with the results of an uninterrupted sweep), a bug names the run and level and leaves its stack trace
/// in the run's seed folder, and a bug that keeps killing workers stops the sweep after the restart budget.
/// </summary>
public class SweepCrashTests
{
    private static string[] Study(string runs) => ["sweep", "--study", "synthetic-study", "--threads", "1", "--jobs", "2", "--runs", runs];

    /// <summary>The live worker processes of the sweep writing to <paramref name="runs"/>: pid → worker slot.</summary>
    private static Dictionary<int, int> Workers(string runs)
    {
        var found = new Dictionary<int, int>();
        foreach (var proc in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), out var pid)) continue;
            string[] args;
            try { args = File.ReadAllText(Path.Combine(proc, "cmdline")).Split('\0'); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }   // gone meanwhile
            int at = Array.IndexOf(args, "--worker");
            if (at < 0 || at + 1 >= args.Length || !args.Contains(runs)) continue;
            found[pid] = int.Parse(args[at + 1]);
        }
        return found;
    }

    /// <summary>Every metrics.csv, mask.safetensors and final.safetensors under a runs root, by relative path.</summary>
    private static Dictionary<string, byte[]> Results(string root) =>
        Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(RunStore.MetricsFile) || f.EndsWith(RunStore.FinalFile) || f.EndsWith(RunStore.MaskFile))
            .ToDictionary(f => Path.GetRelativePath(root, f), File.ReadAllBytes);

    private static bool WaitFor(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (condition()) return true;
            Thread.Sleep(20);
        }
        return false;
    }

    [Fact]
    public async Task AWorkerKilledMidRunIsReplacedAtOnceAndTheSweepEndsWithTheResultsOfAnUninterruptedOne()
    {
        using var reference = new TempDir();
        var refRuns = Path.Combine(reference, "runs");
        var r = CliRunner.Run(reference, Study(refRuns));
        Assert.True(r.ExitCode == 0, r.Stderr);

        using var dir = new TempDir();
        var runs = Path.Combine(dir, "runs");
        using var sweep = Process.Start(CliRunner.StartInfo(dir, Study(runs)))!;
        var stdout = sweep.StandardOutput.ReadToEndAsync();
        var stderr = sweep.StandardError.ReadToEndAsync();
        try
        {
            // Mid-run: both workers started and a first level is done (each worker's cohort has 3 levels).
            Dictionary<int, int> before = new();
            Assert.True(WaitFor(() => (before = Workers(runs)).Count == 2 && Directory.Exists(runs)
                && Directory.GetFiles(runs, RunStore.SummaryFile, SearchOption.AllDirectories).Length > 0, TimeSpan.FromMinutes(3)),
                "the sweep never had two workers and a finished level");
            int victim = before.Single(x => x.Value == 1).Key, survivor = before.Single(x => x.Value == 0).Key;
            using (var kill = Process.Start("kill", ["-9", victim.ToString()])) kill.WaitForExit();

            // A replacement in slot 1 runs beside the worker that was never touched: the sweep is two wide again.
            Dictionary<int, int> after = new();
            Assert.True(WaitFor(() => (after = Workers(runs)).Count == 2 && after.ContainsKey(survivor)
                && after.Any(x => x.Value == 1 && x.Key != victim), TimeSpan.FromMinutes(1)),
                $"no replacement beside worker 0 (workers now: {string.Join(", ", after.Select(x => $"{x.Key}:{x.Value}"))})");
            Assert.DoesNotContain(victim, after.Keys);
            Assert.True(sweep.WaitForExit(TimeSpan.FromMinutes(5)), "the sweep did not finish");
        }
        finally
        {
            if (!sweep.HasExited) sweep.Kill(entireProcessTree: true);
        }
        var err = await stderr;
        Assert.True(sweep.ExitCode == 0, err);
        Assert.Contains("lth: worker 1 failed (exit 137)", err);   // 128 + SIGKILL
        Assert.Single(err.Split('\n'), l => l.StartsWith("lth: worker 1 failed", StringComparison.Ordinal) && l.EndsWith("; restarted", StringComparison.Ordinal));
        Assert.Contains("test acc @ early stop", await stdout);

        // Every run complete, bit for bit what the uninterrupted sweep stored.
        var expected = Results(refRuns);
        var actual = Results(runs);
        Assert.Equal(4 * 3 * 3, expected.Count);   // 4 runs × 3 levels × 3 files
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (k, v) in expected) Assert.True(v.AsSpan().SequenceEqual(actual[k]), $"{k} differs from the uninterrupted sweep's");
        Assert.Contains("4/4 runs complete", CliRunner.Run(dir, ["sweep", "--study", "synthetic-study", "--runs", runs, "--status"]).Stdout);
    }

    [Fact]
    public async Task ABugNamesItsRunAndLevelLeavesItsStackTraceInTheSeedFolderAndStopsTheSweepAfterTheRestartBudget()
    {
        using var dir = new TempDir();
        var runs = Path.Combine(dir, "runs");
        var psi = CliRunner.StartInfo(dir, Study(runs));
        psi.Environment[TestFault.Variable] = "level:1";   // every run fails as level 1 starts
        psi.Environment["HOME"] = dir;                      // keep the test's crash logs out of ~/.cache/lth/logs
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3))) { p.Kill(true); Assert.Fail("the sweep did not stop"); }
        await stdout;
        var err = await stderr;
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(p.ExitCode == ExitCodes.Failure, err);

        // Each bug: one line naming the seed folder and level, its stack trace in that folder.
        var bugs = lines.Where(l => l.StartsWith("lth: internal error (a bug in lth) in ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(bugs);
        var seedDirs = Directory.GetDirectories(runs, RunStore.SeedPrefix + "*", SearchOption.AllDirectories);
        foreach (var line in bugs)
        {
            var m = System.Text.RegularExpressions.Regex.Match(line, @"^lth: internal error \(a bug in lth\) in (\S+) level 1: InvalidOperationException: injected fault .*; stack trace in (\S+)$");
            Assert.True(m.Success, line);
            Assert.Contains(m.Groups[1].Value, seedDirs);
            Assert.Equal(m.Groups[1].Value, Path.GetDirectoryName(m.Groups[2].Value));
            var log = File.ReadAllText(m.Groups[2].Value);
            Assert.Contains("LevelFailedException", log);
            Assert.Contains("at Lth.Experiments.LotteryRunner", log);   // the full stack trace
            Assert.Contains("--worker", log);                           // the command line
        }
        // Each crash was replaced, naming where it hit, up to the budget (2 × --jobs), then the sweep stopped.
        var restarted = lines.Where(l => l.StartsWith("lth: worker ", StringComparison.Ordinal) && l.EndsWith("; restarted", StringComparison.Ordinal)).ToList();
        Assert.Equal(2 * WorkerPool.MaxRestartsPerWorker, restarted.Count);
        Assert.All(restarted, l => Assert.Matches(@"^lth: worker [01] failed \(exit 1\) in init=\S+ seed \d level 1 \(.*seed_\d\); restarted$", l));
        Assert.Matches(@"^lth: worker [01] failed \(exit 1\) in .*; not restarted: 4 restart\(s\) already", lines.Last());

        // The crash logs are no problem for the store or the report.
        var verify = CliRunner.Run(dir, "verify", runs);
        Assert.True(verify.ExitCode == 0, verify.Stdout + verify.Stderr);
        Assert.Contains(" 0 problem(s)", verify.Stdout);
        var report = CliRunner.Run(dir, "report", runs, "--out", Path.Combine(dir, "report"));
        Assert.True(report.ExitCode == 0, report.Stderr);
        Assert.DoesNotContain("crash", report.Stdout + report.Stderr);
    }

    [Fact]
    public void ALevelFailureIsReportedInOneLineWithItsLogInTheSeedFolder()
    {
        using var dir = new TempDir();
        var seedDir = dir.Sub("runs", "lottery_0123456789abcdef", "seed_3");
        var err = Console.Error;
        var captured = new StringWriter();
        Console.SetError(captured);
        int code;
        try { code = Lth.Cli.Cli.Guard(() => throw new LevelFailedException([seedDir], 2, new ArgumentException("kernel invariant broken"))); }
        finally { Console.SetError(err); }
        Assert.Equal(ExitCodes.Failure, code);
        var line = captured.ToString().TrimEnd();
        Assert.DoesNotContain('\n', line);
        Assert.StartsWith($"lth: internal error (a bug in lth) in {seedDir} level 2: ArgumentException: kernel invariant broken; stack trace in {seedDir}/crash-", line);
        var log = Assert.Single(Directory.GetFiles(seedDir, RunStore.CrashLogPattern));
        Assert.EndsWith(log, line);
        Assert.Contains("kernel invariant broken", File.ReadAllText(log));
        // The same log in the logs folder: remove it.
        var home = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "lth", "logs", Path.GetFileName(log));
        if (File.Exists(home)) File.Delete(home);
    }

    [Theory]
    [InlineData(0, true, 0, 0, WorkerPool.ExitAction.None)]       // done: nothing this worker could take
    [InlineData(2, true, 0, 0, WorkerPool.ExitAction.Stop)]       // usage: would fail again
    [InlineData(3, true, 0, 0, WorkerPool.ExitAction.Stop)]       // data
    [InlineData(130, true, 0, 0, WorkerPool.ExitAction.Stop)]     // interrupted
    [InlineData(143, true, 0, 0, WorkerPool.ExitAction.Stop)]     // terminated
    [InlineData(1, true, 0, 0, WorkerPool.ExitAction.Replace)]    // a bug
    [InlineData(137, true, 2, 3, WorkerPool.ExitAction.Replace)]  // SIGKILL (the out-of-memory killer)
    [InlineData(134, false, 0, 0, WorkerPool.ExitAction.None)]    // SIGABRT with nothing left to run
    [InlineData(139, true, 3, 3, WorkerPool.ExitAction.Stop)]     // SIGSEGV, the slot's budget spent
    [InlineData(1, true, 1, 4, WorkerPool.ExitAction.Stop)]       // the sweep's budget (2 × 2 workers) spent
    public void WhatASweepDoesWhenAWorkerExits(int code, bool unitsLeft, int slotRestarts, int totalRestarts, WorkerPool.ExitAction expected) =>
        Assert.Equal(expected, WorkerPool.Decide(code, unitsLeft, slotRestarts, totalRestarts, workers: 2));
}
