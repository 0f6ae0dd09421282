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
