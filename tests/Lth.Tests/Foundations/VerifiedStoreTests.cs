using System.Text.Json.Nodes;
using Lth.Experiments;
using Lth.Tests.Experiments;

namespace Lth.Tests.Foundations;

/// <summary>The verified store: what summary.json and seed.json record, and that a changed file is caught before use.</summary>
public class VerifiedStoreTests
{
    private static LotteryHparams Tiny => LotteryRunnerTests.Tiny() with { Rewind = "2it", OptimizerState = OptimizerState.Carry };

    [Fact]
    public void EachLevelRecordsTheDigestOfEveryOtherFileAndTheSeedRecordsInitAndRewind()
    {
        using var data = TinyData.Create();
        using var dir = new TempDir();
        var store = new RunStore(dir);
        var hp = Tiny;
        new LotteryRunner(store, hp, data).Run(seed: 1, levels: 1);

        var seedDir = store.SeedDir(hp, 1);
        for (int level = 0; level <= 1; level++)
        {
            var levelDir = store.LevelDir(hp, 1, level);
            var summary = LevelSummary.Load(RunStore.SummaryIn(levelDir));
            Assert.True(summary.Verified);
            var others = Directory.GetFiles(levelDir).Select(Path.GetFileName).Where(f => f != RunStore.SummaryFile).Order(StringComparer.Ordinal);
            Assert.Equal([RunStore.FinalFile, RunStore.MaskFile, RunStore.MetricsFile, RunStore.OptimizerFile, RunStore.WinnersFile], others);
            Assert.Equal(others, summary.Files!.Keys);
            foreach (var (name, digest) in summary.Files) Assert.Equal(FileDigest.Of(Path.Combine(levelDir, name)), digest);
        }
        var record = SeedRecord.Load(Path.Combine(seedDir, RunStore.SeedRecordFile));
        Assert.Equal([RunStore.InitFile, RunStore.RewindFile(2)], record.Files.Keys);
        foreach (var (name, digest) in record.Files) Assert.Equal(FileDigest.Of(Path.Combine(seedDir, name)), digest);
    }

    [Fact]
    public void ASummaryWithoutDigestsLoadsAsUnverifiedAndItsFilesAreUsedUnchecked()
    {
        using var data = TinyData.Create();
        using var dir = new TempDir();
        var store = new RunStore(dir);
        var hp = LotteryRunnerTests.Tiny();
        new LotteryRunner(store, hp, data).Run(seed: 1, levels: 0);
        var levelDir = store.LevelDir(hp, 1, 0);
        var path = RunStore.SummaryIn(levelDir);
        var node = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        node.Remove("files");
        node.Remove("sha256");
        File.WriteAllText(path, node.ToJsonString());   // as an earlier lth wrote it

        var old = LevelSummary.Load(path);
        Assert.False(old.Verified);
        Corrupt(Path.Combine(levelDir, RunStore.MaskFile));
        Assert.Equal(Path.Combine(levelDir, RunStore.MaskFile), StoredFiles.Level(levelDir, RunStore.MaskFile));
    }

    [Fact]
    public void AnInitFileThatSeedJsonDoesNotCoverIsDrawnAgainWithTheSameBits()
    {
        using var data = TinyData.Create();
        using var dir = new TempDir();
        var store = new RunStore(dir);
        var hp = LotteryRunnerTests.Tiny();
        new LotteryRunner(store, hp, data).Run(seed: 1, levels: 0);
        var seedDir = store.SeedDir(hp, 1);
        var init = Path.Combine(seedDir, RunStore.InitFile);
        var original = File.ReadAllBytes(init);
        // A run killed after writing init.safetensors and before seed.json (and here the file damaged too).
        Directory.Delete(store.LevelDir(hp, 1, 0), recursive: true);
        File.Delete(Path.Combine(seedDir, RunStore.SeedRecordFile));
        Corrupt(init);

        new LotteryRunner(store, hp, data).Run(seed: 1, levels: 0);
        Assert.Equal(original, File.ReadAllBytes(init));
        Assert.Equal(FileDigest.Of(init), SeedRecord.Load(Path.Combine(seedDir, RunStore.SeedRecordFile)).Files[RunStore.InitFile]);
    }

    [Fact]
    public void AZeroedByteInAStoredMaskIsCaughtBeforeUseOnResume()
    {
        using var data = TinyData.Create();
        using var dir = new TempDir();
        var store = new RunStore(dir);
        var hp = LotteryRunnerTests.Tiny();
        new LotteryRunner(store, hp, data).Run(seed: 1, levels: 1);
        var mask = Path.Combine(store.LevelDir(hp, 1, 1), RunStore.MaskFile);
        Corrupt(mask);

        var e = Assert.Throws<InvalidDataException>(() => new LotteryRunner(store, hp, data).Run(seed: 1, levels: 2));
        Assert.StartsWith(mask + ": contents differ from the SHA-256 recorded in " + RunStore.SummaryIn(store.LevelDir(hp, 1, 1)), e.Message);
        Assert.EndsWith($"delete {store.LevelDir(hp, 1, 1)} and rerun the command that trained it", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(File.Exists(RunStore.SummaryIn(store.LevelDir(hp, 1, 2))));
    }

    [Fact]
    public void ATruncatedOrEditedSummaryIsOneLineNamingIt()
    {
        using var data = TinyData.Create();
        using var dir = new TempDir();
        var store = new RunStore(dir);
        var hp = LotteryRunnerTests.Tiny();
        new LotteryRunner(store, hp, data).Run(seed: 1, levels: 0);
        var path = RunStore.SummaryIn(store.LevelDir(hp, 1, 0));
        var text = File.ReadAllText(path);

        File.WriteAllText(path, text[..(text.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => LevelSummary.Load(path));
        Assert.StartsWith(path + ": not a valid summary", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        e = Assert.Throws<InvalidDataException>(() => new LotteryRunner(store, hp, data).Run(seed: 1, levels: 0));
        Assert.StartsWith(path + ": not a valid summary", e.Message);

        // Still valid JSON, one number changed: its own digest no longer matches.
        File.WriteAllText(path, text.Replace("\"threads\": ", "\"threads\": 1"));
        e = Assert.Throws<InvalidDataException>(() => LevelSummary.Load(path));
        Assert.StartsWith(path + ": contents differ from the SHA-256 recorded in it", e.Message);
        File.WriteAllText(path, text);
        Assert.True(LevelSummary.Load(path).Verified);
    }

    [Fact]
    public void TheReportLeavesOutALevelWhoseSummaryIsUnreadableWithAWarning()
    {
        using var dir = new TempDir();
        var root = Path.Combine(dir, "runs");
        Lth.Tests.Reports.FakeStudy.Write(root, "kaiming-normal", [[0.9, 0.91], [0.92, 0.93]]);
        int rows = Lth.Reports.StudyResults.Load(root).Rows.Count;
        var hp = new LotteryHparams { Model = new() { Name = "lenet:32,16", Init = "kaiming-normal" } };
        var path = RunStore.SummaryIn(new RunStore(root).LevelDir(hp, 2, 1));
        File.WriteAllText(path, File.ReadAllText(path)[..40]);

        var study = Lth.Reports.StudyResults.Load(root);
        Assert.Equal(rows - 1, study.Rows.Count);
        var warning = Assert.Single(study.Warnings);
        Assert.StartsWith(path + ": not a valid summary", warning);
    }

    /// <summary>Sets the last nonzero byte of the file to zero (in a safetensors file: tensor data, so the file still parses).</summary>
    internal static void Corrupt(string path)
    {
        var bytes = File.ReadAllBytes(path);
        int i = Array.FindLastIndex(bytes, b => b != 0);
        bytes[i] = 0;
        File.WriteAllBytes(path, bytes);
    }
}

/// <summary><c>lth verify</c>'s library half: every stored file of a tiny run, one byte changed, is a problem naming it.</summary>
public class StoreVerifierTests
{
    private static readonly string[] NotChecked = [".lock"];

    [Fact]
    public void AOneByteChangeInAnyStoredFileIsAProblemNamingIt()
    {
        using var data = TinyData.Create();
        using var dir = new TempDir();
        var clean = Path.Combine(dir, "clean");
        var hp = LotteryRunnerTests.Tiny() with { Rewind = "2it", OptimizerState = OptimizerState.Carry };
        new LotteryRunner(new RunStore(clean), hp, data).Run(seed: 1, levels: 1);
        var check = StoreVerifier.Check(clean);
        Assert.True(check.Clean, string.Join("\n", check.Problems));
        Assert.Equal((1, 1, 2, 12), (check.Runs, check.Seeds, check.Levels, check.Files));
        Assert.Empty(check.Unverified);

        var files = Directory.GetFiles(clean, "*", SearchOption.AllDirectories).Where(f => !NotChecked.Contains(Path.GetFileName(f))).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(16, files.Count);   // hparams, seed.json, init, rewind, 2 × (mask, final, metrics, winners, optimizer, summary)
        foreach (var file in files)
        {
            var copy = Path.Combine(dir, "copy");
            if (Directory.Exists(copy)) Directory.Delete(copy, recursive: true);
            CopyTree(clean, copy);
            var target = Path.Combine(copy, Path.GetRelativePath(clean, file));
            var bytes = File.ReadAllBytes(target);
            bytes[bytes.Length / 2] ^= 0x01;
            File.WriteAllBytes(target, bytes);
            var broken = StoreVerifier.Check(copy);
            Assert.False(broken.Clean, target);
            Assert.Contains(broken.Problems, p => p.Contains(target));
        }

        // hparams.json is checked by what it says (its hash names the folder): another spelling of the same hparams is no problem.
        var hparams = Path.Combine(new RunStore(clean).RunDir(hp), RunStore.HparamsFile);
        File.WriteAllText(hparams, File.ReadAllText(hparams).Replace("\"torch-default\"", "\"Torch-Default\""));
        Assert.True(StoreVerifier.Check(clean).Clean);
    }

    [Fact]
    public void RunsWrittenBeforeDigestsAreUnverifiedNotWrong()
    {
        using var data = TinyData.Create();
        using var dir = new TempDir();
        var store = new RunStore(dir);
        var hp = LotteryRunnerTests.Tiny();
        new LotteryRunner(store, hp, data).Run(seed: 1, levels: 1);
        var seedDir = store.SeedDir(hp, 1);
        File.Delete(Path.Combine(seedDir, RunStore.SeedRecordFile));
        for (int level = 0; level <= 1; level++)
        {
            var path = RunStore.SummaryIn(store.LevelDir(hp, 1, level));
            var node = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            node.Remove("files");
            node.Remove("sha256");
            File.WriteAllText(path, node.ToJsonString());
        }
        var check = StoreVerifier.Check(dir);
        Assert.True(check.Clean, string.Join("\n", check.Problems));
        Assert.Equal($"{seedDir}: unverified: 2 level(s) written before lth recorded digests", Assert.Single(check.Unverified));
        // Such a run still resumes (its files are used unchecked) and its new levels are verified.
        new LotteryRunner(store, hp, data).Run(seed: 1, levels: 2);
        Assert.True(LevelSummary.Load(RunStore.SummaryIn(store.LevelDir(hp, 1, 2))).Verified);
        Assert.True(StoreVerifier.Check(dir).Clean);
    }

    internal static void CopyTree(string from, string to)
    {
        foreach (var d in Directory.GetDirectories(from, "*", SearchOption.AllDirectories)) Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, d)));
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from, "*", SearchOption.AllDirectories)) File.Copy(f, Path.Combine(to, Path.GetRelativePath(from, f)));
    }
}
