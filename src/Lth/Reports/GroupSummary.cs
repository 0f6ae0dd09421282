
namespace Lth.Reports;

/// <summary>Mean, sample standard deviation and a t-based 95% confidence interval of the mean of one group of values.</summary>
public sealed record MeanCi(int N, double Mean, double Std, double Low, double High)
{
    public static MeanCi Of(IReadOnlyList<double> xs)
    {
        int n = xs.Count;
        if (n == 0) return new(0, double.NaN, double.NaN, double.NaN, double.NaN);
        double mean = xs.Average();
        if (n == 1) return new(1, mean, double.NaN, double.NaN, double.NaN);
        double sd = Math.Sqrt(xs.Sum(x => (x - mean) * (x - mean)) / (n - 1));
        double half = StudentT.Quantile975(n - 1) * sd / Math.Sqrt(n);
        return new(n, mean, sd, mean - half, mean + half);
    }
}

/// <summary>Test accuracy at early stop per group (e.g. init scheme) and level, over seeds.</summary>
public sealed record GroupLevel(string Group, int Level, double Density, MeanCi TestAccuracy, MeanCi EarlyStop, int Diverged);

public static class GroupSummary
{
    public static List<GroupLevel> Of(IEnumerable<(string Group, LevelSummary Summary)> rows) =>
        rows.GroupBy(r => (r.Group, r.Summary.Level))
            .Select(g =>
            {
                var ok = g.Where(r => !r.Summary.Diverged && r.Summary.TestAccuracyAtEarlyStop.HasValue).ToList();
                return new GroupLevel(g.Key.Group, g.Key.Level, g.Average(r => r.Summary.Density),
                    MeanCi.Of(ok.Select(r => r.Summary.TestAccuracyAtEarlyStop!.Value).ToList()),
                    MeanCi.Of(ok.Select(r => (double)r.Summary.EarlyStopIteration!.Value).ToList()),
                    g.Count(r => r.Summary.Diverged));
            })
            .OrderBy(x => x.Group, StringComparer.Ordinal).ThenBy(x => x.Level).ToList();
}
