using Lth.Reports;

namespace Lth.Tests.Reports;

public class VerdictTests
{
    [Fact]
    public void ARealDifferenceIsCalledBetterAndWorse()
    {
        using var dir = new TempDir();
        double[] noise = [0.004, -0.003, 0.001, -0.002, 0.0];
        FakeStudy.Write(dir, "kaiming-normal", FakeStudy.Grid([0.90, 0.91, 0.90], noise));
        FakeStudy.Write(dir, "uniform", FakeStudy.Grid([0.80, 0.79, 0.70], noise.Select(n => n + 0.001 * Math.Sign(n)).ToArray()));
        var study = StudyResults.Load(dir);
        Assert.Equal(["kaiming-normal", "uniform"], study.Groups.Select(g => g.Name));

        var cmp = Comparisons.Compute(study);
        Assert.Equal(3, cmp.Count);   // one pair per level
        Assert.All(cmp, c =>
        {
            Assert.True(c.Paired);
            Assert.Equal(5, c.NPairs);
            Assert.Equal("paired t", c.Test.Test);
            Assert.Equal("Wilcoxon signed-rank", c.RankTest.Test);
            Assert.Equal(1, c.Direction());
            Assert.True(c.Difference.Low > 0.05);
            Assert.Equal(c.Test.P, c.PHolm, 12);   // one comparison per level: Holm changes nothing
        });
        var verdicts = Verdict.Compute(cmp);
        Assert.Contains("kaiming-normal is better than uniform", verdicts[0].Text);
        var row = verdicts[2].Groups.Single(g => g.Group == "uniform");
        Assert.Equal(["kaiming-normal"], row.WorseThan);
        Assert.Empty(row.BetterThan);
    }

    [Fact]
    public void NoDifferenceIsSaidPlainly()
    {
        using var dir = new TempDir();
        FakeStudy.Write(dir, "xavier-normal", FakeStudy.Grid([0.90, 0.90], [0.01, -0.01, 0.005, -0.004]));
        FakeStudy.Write(dir, "xavier-uniform", FakeStudy.Grid([0.90, 0.90], [-0.008, 0.012, -0.003, 0.002]));
        FakeStudy.Write(dir, "kaiming-uniform", FakeStudy.Grid([0.90, 0.90], [0.0, 0.006, -0.011, 0.004]));
        var cmp = Comparisons.Compute(StudyResults.Load(dir));
        Assert.Equal(6, cmp.Count);   // 3 pairs × 2 levels
        Assert.All(cmp, c => Assert.Equal("no detectable difference", c.Outcome()));
        Assert.All(cmp, c => Assert.True(c.PHolm >= c.Test.P));
        var v = Verdict.Compute(cmp);
        Assert.All(v, l => Assert.Contains("no detectable difference between any of the 3 groups", l.Text));
        Assert.All(v.SelectMany(l => l.Groups), g => Assert.Equal(2, g.NoDifference.Count));
    }

    [Fact]
    public void UnpairedGroupsUseWelchAndMannWhitney()
    {
        using var dir = new TempDir();
        FakeStudy.Write(dir, "kaiming-normal", FakeStudy.Grid([0.9], [0.01, -0.01, 0.0]), firstSeed: 1);
        FakeStudy.Write(dir, "uniform", FakeStudy.Grid([0.7], [0.01, -0.01, 0.0]), firstSeed: 10);
        var c = Comparisons.Compute(StudyResults.Load(dir)).Single();
        Assert.False(c.Paired);
        Assert.Equal("Welch t", c.Test.Test);
        Assert.Equal("Mann–Whitney U", c.RankTest.Test);
        Assert.Equal(0.1, c.RankTest.P, 12);   // complete separation, 3 vs 3, exact
        Assert.Equal(1, c.Direction());
    }

    [Fact]
    public void CriterionFindsTheSparsestMatchingLevelAndItsSpeedUp()
    {
        using var dir = new TempDir();
        // Levels 1 and 2 match dense, level 3 drops, level 4 recovers (not counted: the ticket must hold at every denser level).
        double[][] byLevel =
        [
            [0.903, 0.898, 0.901, 0.899, 0.900],
            [0.905, 0.899, 0.904, 0.897, 0.905],
            [0.901, 0.900, 0.895, 0.902, 0.897],
            [0.853, 0.846, 0.852, 0.850, 0.849],
            [0.905, 0.900, 0.900, 0.900, 0.900],
        ];
        FakeStudy.Write(dir, "kaiming-normal", Enumerable.Range(0, 5).Select(s => byLevel.Select(l => l[s]).ToArray()).ToArray());
        var r = LotteryCriterion.Compute(StudyResults.Load(dir)).Single();
        Assert.Equal(2, r.Ticket!.Level);
        Assert.Equal(0.64, r.Ticket.Density, 12);
        Assert.True(r.Ticket.Paired);
        Assert.Equal(Alternative.Greater, r.Ticket.Test.Alternative);   // non-inferiority: H1 is Δ > −margin
        Assert.Equal(CriterionOutcome.Matches, r.Outcome);
        Assert.Equal(1000.0 / 800, r.Ticket.SpeedUp, 12);
        Assert.Equal(MatchState.Below, r.Levels.Single(l => l.Level == 3).State);
        Assert.Contains("down to 64.0%", LotteryCriterion.Describe(r));
    }

    [Fact]
    public void TooFewRunsAtALevelAreLeftOut()
    {
        using var dir = new TempDir();
        FakeStudy.Write(dir, "kaiming-normal", FakeStudy.Grid([0.9, 0.9], [0.01, -0.01, 0.0]));
        FakeStudy.Write(dir, "uniform", FakeStudy.Grid([0.8, 0.8], [0.01, -0.01, 0.0]));
        var study = StudyResults.Load(dir);
        Assert.Equal(2, Comparisons.Compute(study, minN: 3).Count);
        Assert.Empty(Comparisons.Compute(study, minN: 4));
        Assert.Throws<HparamsException>(() => StudyReport.Build(dir, new ReportOptions(1)));
    }

    [Fact]
    public void MissingOrEmptyRootsAreDataErrors()
    {
        using var dir = new TempDir();
        Assert.Throws<DirectoryNotFoundException>(() => StudyResults.Load(Path.Combine(dir, "nope")));
        var e = Assert.Throws<InvalidDataException>(() => StudyResults.Load(dir));
        Assert.Contains("no finished levels", e.Message);
    }
}
