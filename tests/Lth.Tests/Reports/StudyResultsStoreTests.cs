using Lth.Reports;
using Lth.Tests.Foundations;

namespace Lth.Tests.Reports;

/// <summary>The report counts what the store can vouch for: each (run hash, seed) once, and no run whose hparams.json was edited.</summary>
public class StudyResultsStoreTests
{
    private static readonly double[][] Kaiming = FakeStudy.Grid([0.90, 0.91, 0.92], [0, 0.01, -0.01]);
    private static readonly double[][] Xavier = FakeStudy.Grid([0.89, 0.90, 0.90], [0, 0.01, -0.01]);

    private static string Study(TempDir dir)
    {
        var root = Path.Combine(dir, "runs");
        FakeStudy.Write(root, "kaiming-normal", Kaiming);
        FakeStudy.Write(root, "xavier-uniform", Xavier);
        return root;
    }

    private static List<(string, int, string, int)> Ns(StudyReport r) => r.Summary.Select(s => (s.Group, s.Level, s.Metric, s.N)).ToList();

    [Fact]
    public void ACopyOfTheRunsInASubfolderIsCountedOnceWithAWarningPerSkippedSeed()
    {
        using var dir = new TempDir();
        var root = Study(dir);
        var before = StudyReport.Build(root);
        Assert.Empty(before.Study.Warnings);
        var runDirs = Directory.GetDirectories(root, RunStore.RunPrefix + "*");
        foreach (var run in runDirs) StoreVerifierTests.CopyTree(run, Path.Combine(root, "backup", Path.GetFileName(run)));

        var after = StudyReport.Build(root);
        Assert.Equal(before.Study.Rows.Count, after.Study.Rows.Count);
        Assert.Equal(Ns(before), Ns(after));
        Assert.Equal(Ns(before).Select(n => n.Item4), Ns(after).Select(n => n.Item4));
        Assert.All(Ns(after).Where(n => n.Item3 == "test_accuracy_at_early_stop"), n => Assert.Equal(3, n.Item4));
        Assert.Equal(2 * 3, after.Study.Warnings.Count);
        Assert.All(after.Study.Warnings, w => Assert.Contains("left out of the report (each run and seed counts once)", w));
        // The first folder in ordinal path order counts: runs/backup/… comes before runs/lottery_….
        Assert.All(after.Study.Rows, r => Assert.StartsWith(Path.Combine(root, "backup"), r.LotteryDir));
    }

    [Fact]
    public void ARunWhoseHparamsJsonWasEditedIsFlaggedAndNotMerged()
    {
        using var dir = new TempDir();
        var root = Study(dir);
        var xavier = new RunStore(root).RunDir(new LotteryHparams { Model = new() { Name = "lenet:32,16", Init = "xavier-uniform" } });
        var file = Path.Combine(xavier, RunStore.HparamsFile);
        var hp = Hparams.FromJson(File.ReadAllText(file)).With("lr", "0.5");
        File.WriteAllText(file, Hparams.ToJson(hp));   // lr changed after the run

        var study = StudyResults.Load(root);
        var warning = Assert.Single(study.Warnings);
        Assert.StartsWith($"{file}: hashes to {RunStore.RunPrefix}{Hparams.Hash(hp)}, not {Path.GetFileName(xavier)}", warning);
        Assert.Equal(["kaiming-normal"], study.Groups.Select(g => g.Name));
        Assert.DoesNotContain(study.Varying, f => f.Flag == "lr");
        Assert.All(study.Rows, r => Assert.Equal("kaiming-normal", r.Hparams.Model.Init));
        Assert.Equal(3 * 3, study.Rows.Count);
    }
}
