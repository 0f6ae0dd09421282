using Lth.Experiments;
using Lth.Reports;

namespace Lth.Tests.Reports;

/// <summary>
/// The instability part of the report on real tiny runs (synthetic data): two schemes × two rewind points × three
/// seeds, instability at both levels. The cells must hold the runs' own barriers, the figures and the table must be
/// written, and a hand-made set of summaries must be classified stable / unstable / undetermined by the 2 pp rule.
/// </summary>
public class InstabilityReportTests
{
    [Fact]
    public void RunsWithInstabilityGetCellsFiguresAndTheStableVsMatchingTable()
    {
        using var data = TinyData.Create();
        using var dir = new TempDir();
        var store = new RunStore(dir);
        foreach (var init in new[] { "kaiming-normal", "xavier-normal" })
            foreach (var rewind in new[] { "0it", "3it" })
            {
                var hp = Lth.Tests.Experiments.LotteryRunnerTests.Tiny(init).With("instability", "all").With("interp-points", "5").With("rewind", rewind);
                for (long seed = 1; seed <= 3; seed++) new LotteryRunner(store, hp, data).Run(seed, 1);
            }
        var r = StudyReport.Build(dir);
        var ins = Assert.IsType<InstabilityReport>(r.Instability);
        Assert.Equal(["kaiming-normal", "xavier-normal"], ins.Lines);
        Assert.Equal([0L, 3L], ins.Starts);
        Assert.Equal(2 * 2 * 2, ins.Cells.Count);
        foreach (var c in ins.Cells)
        {
            var barriers = r.Study.Rows.Where(x => x.Group == c.Group && x.Level == c.Level).Select(x => x.Summary.InstabilityTest!.Value).ToList();
            Assert.Equal(3, c.Test.N);
            Assert.Equal(barriers.Average(), c.Test.Mean, 12);
            Assert.Equal(c.Group.Contains("rewind=3it") ? 3 : 0, c.Start);
            Assert.Equal(c.Level == 0, c.Matching is null);
        }
        var answer = ins.Answer();
        Assert.Contains(answer, l => l.StartsWith("kaiming-normal, dense: test-error barrier from it 0: "));
        Assert.Contains(answer, l => l.StartsWith("Level 1, the earliest rewind point shown stable: kaiming-normal"));
        Assert.Contains("Instability (linear mode connectivity", r.ToText());

        using var outDir = new TempDir();
        r.Write(outDir);
        foreach (var f in new[] { "instability_vs_rewind", "instability_vs_density", "instability_path" })
            Assert.True(File.Exists(Path.Combine(outDir, StudyReport.FiguresDir, f + ".png")), f);
        var csv = File.ReadAllLines(Path.Combine(outDir, StudyReport.InstabilityCsv));
        Assert.Equal(1 + 8, csv.Length);
        Assert.Contains("| stable (< 2 pp) |", r.ToMarkdown().Replace("stable (< 2 pp) | matches dense", "stable (< 2 pp) |"));
    }

    [Fact]
    public void TheTwoPointRuleClassifiesByTheConfidenceInterval()
    {
        using var dir = new TempDir();
        // Three groups, three seeds, levels 0-1; barrier per seed: tight at 0.5 pp, tight at 6 pp, and wide around 2 pp.
        var barrier = new Dictionary<string, double[]> { ["kaiming-normal"] = [0.005, 0.0052, 0.0049], ["xavier-normal"] = [0.06, 0.061, 0.059], ["normal"] = [0.0, 0.02, 0.05] };
        foreach (var (init, b) in barrier)
        {
            FakeStudy.Write(dir, init, [[0.9, 0.9], [0.91, 0.91], [0.89, 0.89]]);
            var hp = new LotteryHparams { Model = new() { Name = "lenet:32,16", Init = init } };
            for (int s = 0; s < 3; s++)
                for (int level = 0; level < 2; level++)
                {
                    var path = RunStore.SummaryIn(new RunStore(dir).LevelDir(hp, 1 + s, level));
                    var sm = LevelSummary.Load(path) with { InstabilityTest = b[s], InstabilityTrain = b[s] / 2, InstabilityStart = 0 };
                    File.WriteAllText(path, sm.ToJson());
                }
        }
        var ins = StudyReport.Build(dir).Instability!;
        Assert.Equal(Stability.Stable, ins.Cells.Single(c => c.Group == "kaiming-normal" && c.Level == 1).Stable);
        Assert.Equal(Stability.Unstable, ins.Cells.Single(c => c.Group == "xavier-normal" && c.Level == 1).Stable);
        Assert.Equal(Stability.Undetermined, ins.Cells.Single(c => c.Group == "normal" && c.Level == 1).Stable);
        // Level 1 matches dense (identical accuracies) for every group: of the two determined cells, one agrees.
        Assert.Contains(ins.Answer(), l => l.StartsWith("Stable vs matching: in 1 of 2 pruned group-levels"));
    }
}
