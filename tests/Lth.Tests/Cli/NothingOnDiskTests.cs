namespace Lth.Tests.Cli;

/// <summary>Refused input leaves nothing behind; what a killed write left behind is cleaned up.</summary>
public class NothingOnDiskTests
{
    [Fact]
    public void ARewindPointBeyondTrainingIsRefusedBeforeAnyFolderIsCreated()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run(dir, "run", "--preset", "synthetic-tiny", "--rewind", "100000it");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--rewind", r.Stderr);
        var runs = Path.Combine(dir, "runs");
        Assert.True(!Directory.Exists(runs) || Directory.GetDirectories(runs).Length == 0, "a run folder was created");
    }

    [Fact]
    public void StaleTemporaryFilesAreRemovedOnTheNextStart()
    {
        using var dir = new TempDir();
        Assert.Equal(0, CliRunner.Run(dir, "run", "--preset", "synthetic-tiny", "--levels", "0").ExitCode);
        var level0 = Directory.GetDirectories(Path.Combine(dir, "runs"), "level_0", SearchOption.AllDirectories).Single();
        var stale = Path.Combine(level0, ".metrics.csv.tmp-4242-0123456789abcdef");
        File.WriteAllBytes(stale, []);
        Assert.Equal(0, CliRunner.Run(dir, "run", "--preset", "synthetic-tiny", "--levels", "1").ExitCode);
        Assert.False(File.Exists(stale));
    }
}

/// <summary>The determinism contract: a run resumes only with the thread count its done levels used, unless told otherwise.</summary>
public class ThreadContractTests
{
    [Fact]
    public void ResumingWithAnotherThreadCountIsRefusedUnlessAllowed()
    {
        using var dir = new TempDir();
        Assert.Equal(0, CliRunner.Run(dir, "run", "--preset", "synthetic-tiny", "--levels", "0", "--threads", "1").ExitCode);
        var before = Directory.GetFiles(Path.Combine(dir, "runs"), "*", SearchOption.AllDirectories).Length;
        var r = CliRunner.Run(dir, "run", "--preset", "synthetic-tiny", "--levels", "1", "--threads", "2");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--threads 1", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.Equal(before, Directory.GetFiles(Path.Combine(dir, "runs"), "*", SearchOption.AllDirectories).Length);
        Assert.Equal(0, CliRunner.Run(dir, "run", "--preset", "synthetic-tiny", "--levels", "1", "--threads", "2", "--allow-thread-change").ExitCode);
        // a finished run is not "resumed": rerunning it with any thread count is fine
        Assert.Equal(0, CliRunner.Run(dir, "run", "--preset", "synthetic-tiny", "--levels", "1", "--threads", "1").ExitCode);
    }

    [Fact]
    public void ASweepWhoseWorkersAreRefusedStopsAtOnceWithTheirReason()
    {
        using var dir = new TempDir();
        Assert.Equal(0, CliRunner.Run(dir, "sweep", "--study", "synthetic-study", "--levels", "0", "--threads", "1", "--jobs", "1").ExitCode);
        var r = CliRunner.Run(dir, "sweep", "--study", "synthetic-study", "--levels", "1", "--jobs", "2", "--threads", "2");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--threads", r.Stderr);
        Assert.DoesNotContain("restarting", r.Stderr);
    }
}
