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
