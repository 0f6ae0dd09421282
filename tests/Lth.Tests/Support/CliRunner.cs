using System.Diagnostics;

namespace Lth.Tests.Support;

/// <summary>Runs the real <c>lth</c> command line (Lth.Cli.dll beside the tests) in a child process.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static ProcessStartInfo StartInfo(string workDir, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workDir };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Lth.Cli.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["LTH_RUNS"] = Path.Combine(workDir, "runs");
        psi.Environment["NO_COLOR"] = "1";
        return psi;
    }

    public static Result Run(string workDir, params string[] args)
    {
        using var p = Process.Start(StartInfo(workDir, args))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); throw new TimeoutException("lth did not finish in 5 minutes: " + string.Join(' ', args)); }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}
