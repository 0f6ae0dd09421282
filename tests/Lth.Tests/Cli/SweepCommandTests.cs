using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Lth.Tests.Cli;

/// <summary>lth sweep end to end on the synthetic study: parallel workers, kills, concurrent sweeps, Slurm script.</summary>
public class SweepCommandTests
{
    private static readonly string[] Study = ["sweep", "--study", "synthetic-study", "--threads", "1"];

    /// <summary>Every metrics.csv and final.safetensors under a runs root, by relative path.</summary>
    private static Dictionary<string, byte[]> Results(string root) =>
        Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith("metrics.csv") || f.EndsWith("final.safetensors") || f.EndsWith("mask.safetensors"))
            .ToDictionary(f => Path.GetRelativePath(root, f), File.ReadAllBytes);

    private static void AssertSameResults(string expectedRoot, string actualRoot)
    {
        var a = Results(expectedRoot);
        var b = Results(actualRoot);
        Assert.Equal(4 * 3 * 3, a.Count);                     // 4 runs × 3 levels × 3 files
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (k, v) in a) Assert.True(v.AsSpan().SequenceEqual(b[k]), $"{k} differs");
    }

    [Fact]
    public void ParallelWorkersKillsAndResumesGiveTheResultsOfOneUninterruptedRun()
    {
        using var reference = new TempDir();
        var r = CliRunner.Run(reference, [.. Study, "--cohort", "1"]);      // every run alone; the others use cohorts
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("test acc @ early stop", r.Stdout);          // the comparison table

        using var parallel = new TempDir();
        var p = CliRunner.Run(parallel, [.. Study, "--jobs", "2"]);
        Assert.True(p.ExitCode == 0, p.Stderr);
        AssertSameResults(Path.Combine(reference, "runs"), Path.Combine(parallel, "runs"));
        // By default a sweep of a fully-connected model trains each seed's two schemes as one cohort.
        var sizes = Directory.GetFiles(Path.Combine(parallel, "runs"), "summary.json", SearchOption.AllDirectories)
            .Select(f => System.Text.Json.JsonDocument.Parse(File.ReadAllText(f)).RootElement.GetProperty("cohort_size").GetInt32()).Distinct().ToList();
        Assert.Equal([2], sizes);

        // kill -9 the parent at random moments (its workers die with it), then rerun to finish.
        using var killed = new TempDir();
        var rng = new Random(12345);
        for (int attempt = 0; attempt < 3; attempt++)
        {
            using var proc = Process.Start(CliRunner.StartInfo(killed, [.. Study, "--jobs", "2"]))!;
            Thread.Sleep(rng.Next(1500, 6000));
            if (!proc.HasExited) proc.Kill(entireProcessTree: false);
            proc.WaitForExit();
        }
        Thread.Sleep(300);
        var fin = CliRunner.Run(killed, [.. Study, "--jobs", "2"]);
        Assert.True(fin.ExitCode == 0, fin.Stderr);
        AssertSameResults(Path.Combine(reference, "runs"), Path.Combine(killed, "runs"));

        var status = CliRunner.Run(killed, [.. Study, "--status"]);
        Assert.Contains("4/4 runs complete", status.Stdout);
    }

    [Fact]
    public void TwoSweepsAtOnceNeverRunTheSameLevelTwice()
    {
        using var dir = new TempDir();
        var a = Process.Start(CliRunner.StartInfo(dir, Study))!;
        var b = Process.Start(CliRunner.StartInfo(dir, Study))!;
        var outA = a.StandardOutput.ReadToEndAsync();
        var outB = b.StandardOutput.ReadToEndAsync();
        var errA = a.StandardError.ReadToEndAsync();
        var errB = b.StandardError.ReadToEndAsync();
        Assert.True(a.WaitForExit(TimeSpan.FromMinutes(3)) && b.WaitForExit(TimeSpan.FromMinutes(3)));
        // One may finish while the other still holds a run: it says so and exits 3; a rerun completes.
        Assert.All(new[] { (a.ExitCode, errA.Result), (b.ExitCode, errB.Result) }, x => Assert.True(x.ExitCode is 0 or 3, x.Item2));
        var trained = Regex.Matches(outA.Result + outB.Result, @"seed \d+ level \d+: \d", RegexOptions.Multiline).Count;
        Assert.Equal(4 * 3, trained);                                 // each of 12 levels trained exactly once
        var again = CliRunner.Run(dir, Study);
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(0, Regex.Matches(again.Stdout, @"seed \d+ level \d+: \d", RegexOptions.Multiline).Count);
    }

    [Fact]
    public void SlurmScriptHasOneArrayTaskPerRunAndTasksRunTheirEntry()
    {
        using var dir = new TempDir();
        var cohorts = CliRunner.Run(dir, "sweep", "--study", "synthetic-study", "--emit", "slurm");
        Assert.Contains("#SBATCH --array=0-1", cohorts.Stdout);              // default: the 2 schemes of a seed share a task
        var r = CliRunner.Run(dir, "sweep", "--study", "synthetic-study", "--cohort", "1", "--emit", "slurm", "--partition", "debug", "--time", "00:10:00", "--cpus-per-task", "1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("#SBATCH --array=0-3", r.Stdout);
        Assert.Contains("#SBATCH --partition=debug", r.Stdout);
        Assert.Contains("#SBATCH --time=00:10:00", r.Stdout);
        Assert.Contains("--task \"$SLURM_ARRAY_TASK_ID\"", r.Stdout);
        Assert.Contains("--study synthetic-study", r.Stdout);
        Assert.DoesNotContain("--emit", r.Stdout.Split('\n').Last(l => l.StartsWith("exec")));
        Assert.True(Directory.Exists(Path.Combine(dir, "runs", "slurm")), "the --output folder must exist before sbatch: Slurm does not create it");

        // An array task runs exactly its plan entry.
        var t = CliRunner.Run(dir, "sweep", "--study", "synthetic-study", "--cohort", "1", "--task", "2", "--threads", "1");
        Assert.True(t.ExitCode == 0, t.Stderr);
        Assert.Single(Directory.GetDirectories(Path.Combine(dir, "runs"), "seed_*", SearchOption.AllDirectories));
        Assert.Equal(2, CliRunner.Run(dir, "sweep", "--study", "synthetic-study", "--cohort", "1", "--task", "9").ExitCode);
    }

    [Fact]
    public void SlurmOutputPathIsQuotedForSbatchAndItsFolderExists()
    {
        // sbatch reads #SBATCH lines itself: double quotes and backslash escapes only, and '#' starts a comment.
        using var dir = new TempDir();
        var root = Path.Combine(dir, "my runs #1");
        var r = CliRunner.Run(dir, "sweep", "--study", "synthetic-study", "--emit", "slurm", "--runs", root);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var expected = "#SBATCH --output=\"" + root.Replace("#", "\\#") + "/slurm/%A_%a.out\"";
        Assert.Contains(expected, r.Stdout.Split('\n').Select(l => l.TrimEnd('\r')));
        Assert.Contains($"--runs '{root}'", r.Stdout);
        Assert.True(Directory.Exists(Path.Combine(root, "slurm")));
    }
}
