namespace Lth.Reports;

/// <summary>
/// Group A vs group B at one level, on test accuracy at early stop. Paired (by seed) when both groups share data
/// order: then the mean of the per-seed differences with its t CI, the paired t test and the Wilcoxon signed-rank
/// test; otherwise ā − b̄ with the Welch CI, Welch's t test and the Mann–Whitney U test. The primary test (t) is
/// Holm-corrected across all comparisons of the level (<see cref="PHolm"/>); so is the rank test, separately.
/// </summary>
public sealed record Comparison(
    int Level, double Density, string A, string B, int NA, int NB, bool Paired, int NPairs,
    double MeanA, double MeanB, DifferenceCi Difference, TestResult Test, double PHolm, TestResult RankTest, double RankPHolm)
{
    /// <summary>Whether A is significantly better (+1), worse (−1), or neither (0) at family-wise α.</summary>
    public int Direction(double alpha = 0.05) => PHolm < alpha ? Math.Sign(Difference.Difference) : 0;

    public string Outcome(double alpha = 0.05) => Direction(alpha) switch
    {
        > 0 => $"{A} better",
        < 0 => $"{B} better",
        _ => "no detectable difference",
    };
}

/// <summary>All pairwise comparisons of groups, level by level (<c>comparisons.csv</c>).</summary>
public static class Comparisons
{
    public const double Alpha = 0.05;

    /// <param name="study">The runs.</param>
    /// <param name="minN">Levels where a group has fewer usable runs than this are left out for that group.</param>
    public static List<Comparison> Compute(StudyResults study, int minN = 2)
    {
        var all = new List<Comparison>();
        foreach (var level in study.Rows.Select(r => r.Level).Distinct().Order())
        {
            var groups = study.Groups
                .Select(g => (Group: g, Runs: study.Of(g.Name).Where(r => r.Level == level && Metric.TestAccuracy.Of(r) is not null).ToList()))
                .Where(x => x.Runs.Count >= Math.Max(2, minN)).ToList();
            var levelList = new List<Comparison>();
            for (int i = 0; i < groups.Count; i++)
                for (int j = i + 1; j < groups.Count; j++)
                    levelList.Add(Compare(study, level, groups[i].Group, groups[i].Runs, groups[j].Group, groups[j].Runs, minN));
            var holm = Holm.Adjust(levelList.Select(c => c.Test.P).ToList());
            var rankHolm = Holm.Adjust(levelList.Select(c => c.RankTest.P).ToList());
            for (int k = 0; k < levelList.Count; k++) levelList[k] = levelList[k] with { PHolm = holm[k], RankPHolm = rankHolm[k] };
            all.AddRange(levelList);
        }
        return all;
    }

    /// <summary>
    /// Whether two groups' runs with the same seed saw the same data in the same order: the seed fixes the order,
    /// unless the groups differ in a dataset hparam or the batch size.
    /// </summary>
    public static bool ShareDataOrder(StudyResults study, StudyGroup a, StudyGroup b) =>
        study.Varying.Where(f => f.Section == "dataset" || f.Flag == "batch").All(f => a.Values[f.Flag] == b.Values[f.Flag]);

    private static Comparison Compare(StudyResults study, int level, StudyGroup ga, List<RunLevel> a, StudyGroup gb, List<RunLevel> b, int minN)
    {
        double density = a.Concat(b).Average(r => r.Summary.Density);
        var xa = a.Select(r => Metric.TestAccuracy.Of(r)!.Value).ToList();
        var xb = b.Select(r => Metric.TestAccuracy.Of(r)!.Value).ToList();
        var common = a.Select(r => r.Seed).Intersect(b.Select(r => r.Seed)).Order().ToList();
        bool paired = ShareDataOrder(study, ga, gb) && common.Count >= Math.Max(2, minN);
        if (paired)
        {
            var pa = common.Select(s => Metric.TestAccuracy.Of(a.First(r => r.Seed == s))!.Value).ToList();
            var pb = common.Select(s => Metric.TestAccuracy.Of(b.First(r => r.Seed == s))!.Value).ToList();
            return new Comparison(level, density, ga.Name, gb.Name, xa.Count, xb.Count, true, common.Count, xa.Average(), xb.Average(),
                TTest.PairedDifference(pa, pb), TTest.Paired(pa, pb), double.NaN, RankTests.WilcoxonSignedRank(pa, pb), double.NaN);
        }
        return new Comparison(level, density, ga.Name, gb.Name, xa.Count, xb.Count, false, 0, xa.Average(), xb.Average(),
            TTest.WelchDifference(xa, xb), TTest.Welch(xa, xb), double.NaN, RankTests.MannWhitneyU(xa, xb), double.NaN);
    }

    public static readonly string[] Header =
    [
        "level", "density", "group_a", "group_b", "n_a", "n_b", "paired", "n_pairs", "mean_a", "mean_b",
        "difference", "difference_ci95_low", "difference_ci95_high", "test", "statistic", "df", "p", "p_holm",
        "rank_test", "rank_statistic", "rank_p", "rank_p_holm", "rank_method", "outcome",
    ];

    public static void Write(string path, IEnumerable<Comparison> rows) =>
        Csv.Write(path, Header, rows.Select(c => (IReadOnlyList<string>)
        [
            Csv.Num(c.Level), Csv.Num(c.Density), c.A, c.B, Csv.Num(c.NA), Csv.Num(c.NB), c.Paired ? "true" : "false", Csv.Num(c.NPairs),
            Csv.Num(c.MeanA), Csv.Num(c.MeanB), Csv.Num(c.Difference.Difference), Csv.Num(c.Difference.Low), Csv.Num(c.Difference.High),
            c.Test.Test, Csv.Num(c.Test.Statistic), Csv.Num(c.Test.Df), Csv.Num(c.Test.P), Csv.Num(c.PHolm),
            c.RankTest.Test, Csv.Num(c.RankTest.Statistic), Csv.Num(c.RankTest.P), Csv.Num(c.RankPHolm), c.RankTest.Method, c.Outcome(Alpha),
        ]));
}
