namespace Lth.Reports;

/// <summary>
/// One group × level × metric of <c>summary.csv</c>: n (usable runs), diverged runs, mean density, and of the
/// metric over seeds the mean, sample std (n − 1), median, min, max, the t-based 95% CI of the mean
/// (x̄ ± t₀.₉₇₅,ₙ₋₁·s/√n) and the 95% percentile bootstrap CI (10,000 resamples, fixed seed).
/// </summary>
public sealed record GroupLevelStats(
    string Group, int Level, string Metric, int N, int Diverged, double Density,
    double Mean, double Std, double Median, double Min, double Max, double CiLow, double CiHigh, double BootLow, double BootHigh);

/// <summary>Builds and writes <c>summary.csv</c>.</summary>
public static class SummaryTable
{
    public static List<GroupLevelStats> Compute(StudyResults study)
    {
        var list = new List<GroupLevelStats>();
        foreach (var g in study.Groups)
            foreach (var lv in study.Of(g.Name).GroupBy(r => r.Level).OrderBy(x => x.Key))
                foreach (var m in Metric.All)
                {
                    var xs = lv.Select(m.Of).OfType<double>().ToList();
                    list.Add(Of(g.Name, lv.Key, m.Name, xs, lv.Count(r => r.Summary.Diverged), lv.Average(r => r.Summary.Density)));
                }
        return list;
    }

    public static GroupLevelStats Of(string group, int level, string metric, IReadOnlyList<double> xs, int diverged, double density)
    {
        var ci = MeanCi.Of(xs);
        var sorted = xs.Order().ToList();
        var (bl, bh) = Bootstrap.MeanCi(xs);
        return new GroupLevelStats(group, level, metric, xs.Count, diverged, density, ci.Mean, ci.Std,
            Bootstrap.Quantile(sorted, 0.5), sorted.Count > 0 ? sorted[0] : double.NaN, sorted.Count > 0 ? sorted[^1] : double.NaN,
            ci.Low, ci.High, bl, bh);
    }

    public static readonly string[] Header =
        ["group", "level", "density", "metric", "n", "diverged", "mean", "std", "median", "min", "max", "ci95_low", "ci95_high", "bootstrap_low", "bootstrap_high"];

    public static void Write(string path, IEnumerable<GroupLevelStats> rows) =>
        Csv.Write(path, Header, rows.Select(s => (IReadOnlyList<string>)
        [
            s.Group, Csv.Num(s.Level), Csv.Num(s.Density), s.Metric, Csv.Num(s.N), Csv.Num(s.Diverged), Csv.Num(s.Mean), Csv.Num(s.Std),
            Csv.Num(s.Median), Csv.Num(s.Min), Csv.Num(s.Max), Csv.Num(s.CiLow), Csv.Num(s.CiHigh), Csv.Num(s.BootLow), Csv.Num(s.BootHigh),
        ]));
}
