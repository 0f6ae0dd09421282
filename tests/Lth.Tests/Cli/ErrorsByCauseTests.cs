using Lth.Cli;

namespace Lth.Tests.Cli;

public class ErrorsByCauseTests
{
    [Fact]
    public void AnInternalFailureExits1SaysItIsABugAndLogsTheStackTrace()
    {
        var err = Console.Error;
        var captured = new StringWriter();
        Console.SetError(captured);
        int code;
        try { code = Lth.Cli.Cli.Guard(() => throw new ArgumentException("kernel invariant broken")); }
        finally { Console.SetError(err); }
        Assert.Equal(ExitCodes.Failure, code);
        var line = captured.ToString().Trim();
        Assert.DoesNotContain('\n', line);
        Assert.Contains("bug", line);
        var log = line[(line.IndexOf("stack trace in ", StringComparison.Ordinal) + "stack trace in ".Length)..];
        Assert.True(File.Exists(log), log);
        Assert.Contains("kernel invariant broken", File.ReadAllText(log));
        Assert.Contains("   at ", File.ReadAllText(log));
        File.Delete(log);
    }

    [Fact]
    public void UserInputExits2()
    {
        var err = Console.Error;
        Console.SetError(new StringWriter());
        try
        {
            Assert.Equal(ExitCodes.Usage, Lth.Cli.Cli.Guard(() => throw new HparamsException("--lr: must be > 0")));
            Assert.Equal(ExitCodes.Data, Lth.Cli.Cli.Guard(() => throw new InvalidDataException("x.safetensors: truncated")));
        }
        finally { Console.SetError(err); }
    }

    [Fact]
    public void StrategiesAreListed()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run(dir, "strategies");
        Assert.Equal(0, r.ExitCode);
        foreach (var name in new[] { "magnitude", "random", "random-prune", "random-prune-global", "shuffle" }) Assert.Contains(name, r.Stdout);
        Assert.Contains("--strategy magnitude", r.Stdout);
        Assert.Contains("--control shuffle", r.Stdout);
    }
}
