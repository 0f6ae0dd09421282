using Lth.Cli;
using Lth.Experiments;

namespace Lth.Tests.Cli;

/// <summary>A bug names the run and level it hit and leaves its stack trace in the run's seed folder.</summary>
public class SweepCrashTests
{
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
}
