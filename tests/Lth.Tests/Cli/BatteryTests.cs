using System.Diagnostics;
using System.Security.Cryptography;
using static Lth.Tests.Data.DataFiles;

namespace Lth.Tests.Cli;

/// <summary>A finished tiny run (synthetic-tiny, levels 0–1, one thread), made once and copied for each case.</summary>
public sealed class FinishedRunTemplate : IDisposable
{
    public TempDir Dir { get; } = new();
    public string Runs => Path.Combine(Dir, "runs");

    public FinishedRunTemplate()
    {
        var r = CliRunner.Run(Dir, "run", "--preset", "synthetic-tiny", "--levels", "1", "--threads", "1");
        if (r.ExitCode != 0) throw new InvalidOperationException("template run failed: " + r.Stderr);
    }

    public void Dispose() => Dir.Dispose();
}

/// <summary>
/// Issue 17's battery, run as a new user would: every bad input from the command line must end with the documented
/// exit code (2: bad flags; 3: bad data or bad stored files or an unusable runs folder), exactly one stderr line that
/// names the problem, and the runs folder exactly as it was (every file's bytes). The store cases corrupt one file of
/// a finished run and then ask lth to use it (resume one more level, export, eval); a byte changed anywhere must be
/// caught before the file is used.
/// </summary>
public class BatteryTests(FinishedRunTemplate template) : IClassFixture<FinishedRunTemplate>
{
    private static readonly string[] Tiny = ["--preset", "synthetic-tiny", "--threads", "1"];

    public static TheoryData<string, string[], string> BadFlags => new()
    {
        { "rates names a layer the model lacks", ["run", .. Tiny, "--rates", "fc9=0.2"], "fc9" },
        { "rates names a bias without --prune-biases", ["run", .. Tiny, "--rates", "FC1=0.5,fc1.bias=0.5"], "fc1.bias" },
        { "negative seed", ["run", .. Tiny, "--seed", "-1"], "--seed" },
        { "levels past layer collapse", ["run", .. Tiny, "--levels", "100000"], "--levels" },
        { "rewind past training", ["run", .. Tiny, "--rewind", "100000it"], "--rewind" },
        { "unknown strategy", ["run", .. Tiny, "--strategy", "nosuch"], "--strategy" },
        { "unknown init", ["run", .. Tiny, "--init", "nosuch"], "nosuch" },
        { "conv rate on LeNet", ["run", .. Tiny, "--rate-conv", "0.3"], "--rate-conv" },
        { "one path point", ["run", .. Tiny, "--instability", "all", "--interp-points", "1"], "--interp-points" },
        { "interp points without instability", ["run", .. Tiny, "--interp-points", "9"], "--interp-points" },
        { "instability with a carried optimizer", ["run", .. Tiny, "--instability", "all", "--optimizer-state", "carry"], "--instability" },
        { "lr gamma without drops", ["run", .. Tiny, "--lr-gamma", "0.5"], "--lr-gamma" },
        { "drops out of order", ["run", .. Tiny, "--lr-drops", "75%,50%"], "--lr-drops" },
        { "synflow rounds 0", ["run", .. Tiny, "--strategy", "synflow", "--synflow-rounds", "0"], "--synflow-rounds" },
        { "grasp temperature with magnitude", ["run", .. Tiny, "--grasp-temperature", "5"], "--grasp-temperature" },
        { "one-shot with a strategy at init", ["run", .. Tiny, "--strategy", "snip", "--one-shot", "true"], "--one-shot" },
        { "a flag without its value", ["run", .. Tiny, "--one-shot"], "--one-shot" },
        { "an unknown flag", ["run", .. Tiny, "--levls", "3"], "--levls" },
        { "unknown study", ["sweep", "--study", "nosuch-study"], "nosuch-study" },
        { "negative learning rate", ["run", .. Tiny, "--lr", "-1"], "--lr" },
        { "resume with another thread count", ["run", "--preset", "synthetic-tiny", "--levels", "2", "--threads", "2"], "--threads" },
        { "sweep resume with another thread count", ["sweep", "--preset", "synthetic-tiny", "--levels", "2", "--jobs", "1", "--threads", "2"], "--threads" },
    };

    [Theory, MemberData(nameof(BadFlags))]
    public void BadFlagsExit2WithOneLineAndNothingChanged(string why, string[] args, string names) => Case(why, args, 2, names);

    [Fact]
    public void BadDataFoldersExit3WithOneLineNamingWhatIsMissing()
    {
        using var data = new TempDir();
        var incomplete = Path.Combine(data, "mnist");
        WriteIdxSet(incomplete, MakeIdxSet());
        File.Delete(Path.Combine(incomplete, "t10k-labels-idx1-ubyte.gz"));
        Case("--data does not exist", ["run", .. Tiny, "--dataset", "mnist", "--data", Path.Combine(data, "nowhere")], 3, "nowhere");
        Case("--data lacks the test labels", ["run", .. Tiny, "--dataset", "mnist", "--data", data], 3, "t10k-labels-idx1-ubyte.gz");
        Case("LTH_DATA lacks the test labels", ["run", .. Tiny, "--dataset", "mnist"], 3, "t10k-labels-idx1-ubyte.gz", env: ("LTH_DATA", incomplete));
    }

    public static TheoryData<string, string> Corruptions => new()
    {
        { "level_1/mask.safetensors", "zero" }, { "level_1/mask.safetensors", "truncate" },
        { "level_1/final.safetensors", "zero" }, { "level_1/final.safetensors", "truncate" },
        { "level_1/summary.json", "truncate" }, { "level_1/summary.json", "flip" },
        { "init.safetensors", "flip" }, { "init.safetensors", "truncate" },
    };

    /// <summary>Resuming one more level reads the last level's mask, weights and summary and the init: each must be checked first.</summary>
    [Theory, MemberData(nameof(Corruptions))]
    public void ACorruptedStoredFileIsCaughtBeforeUseOnResume(string file, string how)
    {
        Case($"{how} {file}", ["run", "--preset", "synthetic-tiny", "--levels", "2", "--threads", "1"], 3, Path.GetFileName(file), corrupt: (file, how));
    }

    [Theory]
    [InlineData("export", "level_1/final.safetensors")]
    [InlineData("export", "level_1/mask.safetensors")]
    [InlineData("eval", "level_1/final.safetensors")]
    public void ExportAndEvalCheckTheFilesTheyRead(string command, string file)
    {
        using var outDir = new TempDir();
        string[] args = command == "export"
            ? ["export", "{run}", "--level", "1", "--out", Path.Combine(outDir, "ticket")]
            : ["eval", "{run}", "--level", "1"];
        Case($"{command} with a changed {file}", args, 3, Path.GetFileName(file), corrupt: (file, "flip"));
    }

    [Fact]
    public void AnEditedHparamsJsonIsNotResumed() =>
        Case("hparams.json edited", ["run", "--preset", "synthetic-tiny", "--levels", "2", "--threads", "1"], 3, "hparams.json", edit: true);

    [Fact]
    public void ARunsRootThatIsAFileOrUnderAFileExits3()
    {
        using var dir = new TempDir();
        var file = Path.Combine(dir, "afile");
        File.WriteAllText(file, "x");
        foreach (var root in new[] { file, Path.Combine(file, "sub") })
        {
            var r = CliRunner.Run(dir, ["run", .. Tiny, "--runs", root]);
            Assert.Equal(3, r.ExitCode);
            Assert.Single(Lines(r.Stderr));
            Assert.Contains("is a file, not a folder", r.Stderr);
            Assert.Equal("x", File.ReadAllText(file));
            Assert.Equal([file], Directory.GetFileSystemEntries(dir));
        }
    }

    /// <summary>
    /// A read-only runs folder: a finished run is read without a lock (exit 0), one that needs training exits 3 saying
    /// why (not "lock held"), and a sweep stops at once with that reason. Made read-only with chmod, or as root with
    /// chattr +i (root ignores permission bits).
    /// </summary>
    [Fact]
    public void AReadOnlyRunsFolderIsReadAndOtherwiseRefusedByCause()
    {
        using var dir = Copy();
        var runs = Path.Combine(dir, "runs");
        var before = Snapshot(runs);
        using (ReadOnly(runs))
        {
            var finished = CliRunner.Run(dir, "run", "--preset", "synthetic-tiny", "--levels", "1", "--threads", "1");
            Assert.Equal(0, finished.ExitCode);
            var more = CliRunner.Run(dir, "run", "--preset", "synthetic-tiny", "--levels", "2", "--threads", "1");
            Assert.Equal(3, more.ExitCode);
            Assert.Single(Lines(more.Stderr));
            Assert.Contains("cannot write", more.Stderr);
            Assert.DoesNotContain("lock held", more.Stderr);
            var sweep = CliRunner.Run(dir, "sweep", "--preset", "synthetic-tiny", "--levels", "2", "--seeds", "1-2", "--jobs", "2", "--threads", "1");
            Assert.Equal(3, sweep.ExitCode);
            Assert.Contains("cannot write", sweep.Stderr);
            Assert.DoesNotContain("restarting", sweep.Stderr);
        }
        Assert.Equal(before, Snapshot(runs));
    }

    private void Case(string why, string[] args, int code, string names, (string File, string How)? corrupt = null, bool edit = false, (string, string)? env = null)
    {
        using var dir = Copy();
        var runs = Path.Combine(dir, "runs");
        var seedDir = Directory.GetDirectories(runs, "seed_1", SearchOption.AllDirectories).Single();
        if (corrupt is var (file, how)) Corrupt(Path.Combine(seedDir, file), how);
        if (edit)
        {
            var hp = Path.Combine(Path.GetDirectoryName(seedDir)!, "hparams.json");
            File.WriteAllText(hp, File.ReadAllText(hp).Replace("\"lr\": 0.003", "\"lr\": 0.004"));
        }
        var before = Snapshot(runs);
        var psi = CliRunner.StartInfo(dir, args.Select(a => a == "{run}" ? Path.GetDirectoryName(seedDir)! : a).ToArray());
        if (env is var (k, v)) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var lines = Lines(stderr.Result);
        Assert.True(p.ExitCode == code, $"{why}: exit {p.ExitCode}, expected {code}; stderr: {stderr.Result}");
        Assert.True(lines.Count == 1, $"{why}: {lines.Count} stderr lines: {stderr.Result}");
        Assert.True(lines[0].StartsWith("lth: ") && lines[0].Contains(names), $"{why}: the line does not name {names}: {lines[0]}");
        Assert.Equal(before, Snapshot(runs));
    }

    private static List<string> Lines(string s) => s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private TempDir Copy()
    {
        var dir = new TempDir();
        foreach (var f in Directory.GetFiles(template.Runs, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(dir, "runs", Path.GetRelativePath(template.Runs, f));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(f, to);
        }
        return dir;
    }

    private static void Corrupt(string path, string how)
    {
        var bytes = File.ReadAllBytes(path);
        switch (how)
        {
            case "truncate": bytes = bytes[..(bytes.Length / 2)]; break;
            case "zero": Array.Clear(bytes, bytes.Length - 16, 8); break;   // inside the tensor data, not the header
            case "flip": bytes[bytes.Length - 10] ^= 0x01; break;
        }
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>Every file (hidden ones included) below <paramref name="root"/> with the SHA-256 of its bytes; folders too.</summary>
    private static SortedDictionary<string, string> Snapshot(string root)
    {
        var s = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!Directory.Exists(root)) return s;
        foreach (var d in Directory.GetDirectories(root, "*", SearchOption.AllDirectories)) s[Path.GetRelativePath(root, d) + "/"] = "";
        foreach (var f in Directory.GetFiles(root, "*", SearchOption.AllDirectories))
            if (Path.GetFileName(f) != ".lock") s[Path.GetRelativePath(root, f)] = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)));
        return s;
    }

    /// <summary>Makes a folder tree read-only for this process until disposed.</summary>
    private static IDisposable ReadOnly(string root)
    {
        bool isRoot = Environment.UserName == "root";
        string[] on = isRoot ? ["chattr", "-R", "+i", root] : ["chmod", "-R", "a-w", root];
        string[] off = isRoot ? ["chattr", "-R", "-i", root] : ["chmod", "-R", "u+w", root];
        Exec(on);
        var probe = Path.Combine(root, "probe");
        bool writable = true;
        try { File.WriteAllText(probe, ""); File.Delete(probe); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { writable = false; }
        Assert.False(writable, $"could not make {root} read-only with {string.Join(' ', on)}");
        return new Undo(() => Exec(off));
    }

    private static void Exec(string[] cmd)
    {
        var psi = new ProcessStartInfo(cmd[0]) { RedirectStandardError = true };
        foreach (var a in cmd.Skip(1)) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.WaitForExit();
    }

    private sealed class Undo(Action undo) : IDisposable { public void Dispose() => undo(); }
}
