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

    /// <summary>Sets the last nonzero byte of the file to zero (in a safetensors file: tensor data, so the file still parses).</summary>
    internal static void Corrupt(string path)
    {
        var bytes = File.ReadAllBytes(path);
        int i = Array.FindLastIndex(bytes, b => b != 0);
        bytes[i] = 0;
        File.WriteAllBytes(path, bytes);
    }
}
