using Lth.Tests.Foundations;

namespace Lth.Tests.Cli;

/// <summary>The verified store from the command line: a damaged file is named on one line and exits 3.</summary>
public class VerifiedStoreCommandTests
{
    /// <summary>A tiny run (synthetic-tiny, levels 0..1, seed 2, rewind point at iteration 2); returns its seed folder.</summary>
    internal static string TinyRun(string dir, params string[] extra)
    {
        var run = CliRunner.Run(dir, ["run", "--preset", "synthetic-tiny", "--levels", "1", "--seed", "2", "--rewind", "2it", "--quiet", .. extra]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        return Directory.GetDirectories(Directory.GetDirectories(Path.Combine(dir, "runs"), "lottery_*").Single(), "seed_*").Single();
    }

    private static string OneLine(CliRunner.Result r)
    {
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, r.Stderr);
        Assert.DoesNotContain("internal error", lines[0]);
        return lines[0];
    }

    [Fact]
    public void AZeroedByteInAMaskStopsTheResumeWithExit3NamingTheFile()
    {
        using var dir = new TempDir();
        var seedDir = TinyRun(dir);
        var mask = Path.Combine(seedDir, "level_1", RunStore.MaskFile);
        VerifiedStoreTests.Corrupt(mask);

        var r = CliRunner.Run(dir, "run", "--preset", "synthetic-tiny", "--levels", "2", "--seed", "2", "--rewind", "2it", "--quiet");
        Assert.Equal(3, r.ExitCode);
        var line = OneLine(r);
        Assert.Contains(mask + ": contents differ from the SHA-256", line);
        Assert.Contains($"delete {Path.Combine(seedDir, "level_1")} and rerun", line);
    }

    [Fact]
    public void ATruncatedFinalMakesExportAndEvalExit3()
    {
        using var dir = new TempDir();
        var seedDir = TinyRun(dir);
        var final = Path.Combine(seedDir, "level_1", RunStore.FinalFile);
        File.WriteAllBytes(final, File.ReadAllBytes(final)[..1000]);

        var export = CliRunner.Run(dir, "export", seedDir, "--level", "1", "--out", Path.Combine(dir, "ticket"));
        Assert.Equal(3, export.ExitCode);
        Assert.Contains(final + ": contents differ from the SHA-256", OneLine(export));
        Assert.False(Directory.Exists(Path.Combine(dir, "ticket")));
        var eval = CliRunner.Run(dir, "eval", seedDir, "--level", "1");
        Assert.Equal(3, eval.ExitCode);
        Assert.Contains(final + ": contents differ from the SHA-256", OneLine(eval));
    }

    [Fact]
    public void ATruncatedSummaryStopsTheRunWithOneLineAndTheReportSkipsItWithAWarning()
    {
        using var dir = new TempDir();
        var seedDir = TinyRun(dir);
        var summary = RunStore.SummaryIn(Path.Combine(seedDir, "level_1"));
        File.WriteAllText(summary, File.ReadAllText(summary)[..100]);

        var run = CliRunner.Run(dir, "run", "--preset", "synthetic-tiny", "--levels", "1", "--seed", "2", "--rewind", "2it", "--quiet");
        Assert.Equal(3, run.ExitCode);
        Assert.StartsWith($"lth: {summary}: not a valid summary", OneLine(run));

        var report = CliRunner.Run(dir, "report", Path.Combine(dir, "runs"), "--out", Path.Combine(dir, "report"));
        Assert.True(report.ExitCode == 0, report.Stderr);
        Assert.Contains($"lth: warning: {summary}: not a valid summary", report.Stderr);
    }
}

/// <summary><c>lth verify</c> from the command line.</summary>
public class VerifyCommandTests
{
    [Fact]
    public void VerifyExits0OnACleanRunAnd3AfterOneChangedByteInAnyStoredFile()
    {
        using var dir = new TempDir();
        VerifiedStoreCommandTests.TinyRun(dir);
        var clean = Path.Combine(dir, "runs");
        var ok = CliRunner.Run(dir, "verify", clean);
        Assert.True(ok.ExitCode == 0, ok.Stdout + ok.Stderr);
        Assert.Equal("checked 1 run(s), 1 seed(s), 2 level(s), 10 file(s): 0 problem(s), 0 unverified seed(s)", ok.Stdout.Trim());

        var files = Directory.GetFiles(clean, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != ".lock").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(14, files.Count);   // hparams, seed.json, init, rewind, 2 × (mask, final, metrics, winners, summary)
        foreach (var file in files)
        {
            var copy = Path.Combine(dir, "copy");
            if (Directory.Exists(copy)) Directory.Delete(copy, recursive: true);
            StoreVerifierTests.CopyTree(clean, copy);
            var target = Path.Combine(copy, Path.GetRelativePath(clean, file));
            var bytes = File.ReadAllBytes(target);
            bytes[bytes.Length / 2] ^= 0x01;
            File.WriteAllBytes(target, bytes);
            var r = CliRunner.Run(dir, "verify", copy);
            Assert.True(r.ExitCode == 3, $"{target}: exit {r.ExitCode}\n{r.Stdout}{r.Stderr}");
            var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains(lines, l => l.Contains(target));
            Assert.Matches(@"^checked 1 run\(s\), 1 seed\(s\), \d level\(s\), \d+ file\(s\): [1-9]\d* problem\(s\)", lines[^1]);
        }
    }
}
