using Lth.Reports;

namespace Lth.Tests.Reports;

public class StatisticsTests
{
    [Theory]
    [InlineData(1, 12.7062047)]
    [InlineData(4, 2.77644511)]
    [InlineData(10, 2.22813885)]
    [InlineData(40, 2.02107539)]
    [InlineData(120, 1.97993041)]
    public void StudentTQuantilesMatchTables(int df, double q) => Assert.Equal(q, StudentT.Quantile975(df), 4);

    [Fact]
    public void MeanCiByHand()
    {
        // mean 2, sd 1, n 3: half-width = 4.30265273 / sqrt(3)
        var ci = MeanCi.Of([1.0, 2.0, 3.0]);
        Assert.Equal(2.0, ci.Mean, 12);
        Assert.Equal(1.0, ci.Std, 12);
        Assert.Equal(2 - 4.30265273 / Math.Sqrt(3), ci.Low, 6);
        Assert.Equal(2 + 4.30265273 / Math.Sqrt(3), ci.High, 6);
    }
}
