using Lth.Training;

namespace Lth.Tests.Training;

public class StepTests
{
    [Fact]
    public void ParsesIterationsAndEpochs()
    {
        Assert.Equal(500, Step.Parse("500it").ToIterations(917));
        Assert.Equal(5 * 917, Step.Parse("5ep").ToIterations(917));
        Assert.Equal("5ep", Step.Parse(" 5EP ").ToString());
        Assert.Throws<FormatException>(() => Step.Parse("5"));
        Assert.Throws<FormatException>(() => Step.Parse("-3it"));
    }
}
