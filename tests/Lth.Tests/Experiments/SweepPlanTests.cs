using Lth.Experiments;

namespace Lth.Tests.Experiments;

public class SweepPlanTests
{
    [Theory]
    [InlineData("a,b,c", new[] { "a", "b", "c" })]
    [InlineData("xavier-normal:gain=0.5,mode=fan_out,kaiming-normal", new[] { "xavier-normal:gain=0.5,mode=fan_out", "kaiming-normal" })]
    [InlineData("lenet:300,100,lenet:100", new[] { "lenet:300,100", "lenet:100" })]
    [InlineData("0.1,0.01", new[] { "0.1", "0.01" })]
    [InlineData("lenet:300,100;lenet:50", new[] { "lenet:300,100", "lenet:50" })]
    public void SplitsGridValues(string text, string[] expected) => Assert.Equal(expected, SweepPlan.SplitValues(text));

    [Fact]
    public void ParsesSeeds()
    {
        Assert.Equal(new long[] { 1, 2, 3, 10 }, SweepPlan.ParseSeeds("1-3,10"));
        Assert.Throws<HparamsException>(() => SweepPlan.ParseSeeds("x"));
    }

    [Fact]
    public void ExpandsTheGridWithSeedsInnermost()
    {
        var runs = SweepPlan.Expand(new LotteryHparams(), [("init", ["kaiming-normal", "xavier-normal"]), ("lr", ["0.1", "0.01"])], [1, 2]);
        Assert.Equal(8, runs.Count);
        Assert.Equal(4, runs.Select(r => r.Hash).Distinct().Count());
        Assert.Equal("init=kaiming-normal lr=0.1", runs[0].Label);
        Assert.Equal(new long[] { 1, 2 }, runs.Take(2).Select(r => r.Seed));
    }
}

public class StudyFileTests
{
    [Theory]
    [InlineData("seed-study", 110)]
    [InlineData("seed-study-quick", 30)]
    [InlineData("seed-study-fashion", 110)]
    [InlineData("frankle-lenet", 5)]
    [InlineData("gain-sweep", 21)]
    [InlineData("controls-fashion", 9)]
    [InlineData("synthetic-study", 4)]
    [InlineData("pai-inits", 150)]
    [InlineData("pai-inits-quick", 90)]
    [InlineData("instability-inits-quick", 27)]
    [InlineData("instability-inits", 100)]
    [InlineData("instability-resnet20-fashion", 12)]
    public void ShippedStudiesExpand(string name, int runs)
    {
        var s = Study.Load(name);
        var plan = SweepPlan.Expand(s.Base, s.Grid, SweepPlan.ParseSeeds(s.Seeds));
        Assert.Equal(runs, plan.Count);
        Assert.Equal(runs / SweepPlan.ParseSeeds(s.Seeds).Count, plan.Select(r => r.Hash).Distinct().Count());
    }

    [Fact]
    public void SeedStudyFixesTheOriginalDefectsButKeepsItsProtocol()
    {
        var s = Study.Load("seed-study");
        Assert.Equal(10, s.Grid.Single(g => g.Flag == "init").Values.Count);
        Assert.Equal(5000, s.Base.Dataset.Validation);                 // early stopping on held-out validation
        Assert.Equal(OptimizerState.Fresh, s.Base.OptimizerState);                  // reset optimizer per round (corrected)
        Assert.True(s.Base.Pruning.PruneBiases);                        // every tensor pruned 20% (as the study did)
        Assert.Equal(0.2, s.Base.Pruning.RateOutput);
        Assert.Equal("5ep", s.Base.Training.Steps);
        Assert.Equal(20, s.Levels);
    }

    [Fact]
    public void BadStudyFilesNameTheProblem()
    {
        Assert.Contains("frobs", Assert.Throws<HparamsException>(() => Study.Parse("x", "{\"frobs\": 1}")).Message);
        Assert.Contains("nope", Assert.Throws<HparamsException>(() => Study.Parse("x", "{\"grid\": {\"nope\": [1]}}")).Message);
        Assert.Contains("x:", Assert.Throws<HparamsException>(() => Study.Parse("x", "{not json")).Message);
    }
}
