namespace Lth.Reports;

/// <summary>One level of one group tested against the same group's dense network (level 0).</summary>
public sealed record CriterionLevel(
    string Group, int Level, double Density, int N, double Mean, double CiLow, double CiHigh,
    bool Paired, int NPairs, DifferenceCi DifferenceFromDense, TestResult Test, bool NotSignificantlyBelow,
    double EarlyStopMean, double SpeedUp);

/// <summary>A group's lottery-ticket result: the sparsest level that still matches dense accuracy, or none.</summary>
public sealed record CriterionResult(string Group, double DenseMean, int DenseN, double DenseEarlyStop, CriterionLevel? Ticket, IReadOnlyList<CriterionLevel> Levels);

/// <summary>
/// The lottery-ticket criterion (Frankle &amp; Carbin: a subnetwork that, reset and retrained, reaches the dense
/// network's test accuracy). Per group and level L &gt; 0: a one-sided test of H1 "mean test accuracy at early stop at
/// level L is below level 0's", at α = 0.05 without multiplicity correction (correction would make "not
/// significantly below" easier to reach, i.e. less conservative). Paired t test by seed when at least two seeds have
/// both levels (runs of one group share the data order of their seed), Welch's t otherwise. The reported ticket is
/// the sparsest level such that it <i>and every denser level</i> is not significantly below dense ("matches dense
/// down to d%"), with the 95% CI of its mean accuracy and of its difference from dense, and the early-stopping speed-up
/// there: mean dense early-stop iteration / mean early-stop iteration of that level.
/// "Not significantly below" with few seeds is weak evidence; read it with the CI of the difference.
/// </summary>
public static class LotteryCriterion
{
    public static List<CriterionResult> Compute(StudyResults study, int minN = 2, double alpha = Comparisons.Alpha)
    {
        var results = new List<CriterionResult>();
        foreach (var g in study.Groups)
        {
            var byLevel = study.Of(g.Name).Where(r => Metric.TestAccuracy.Of(r) is not null).GroupBy(r => r.Level).ToDictionary(x => x.Key, x => x.ToList());
            if (!byLevel.TryGetValue(0, out var dense) || dense.Count < Math.Max(2, minN))
            {
                results.Add(new CriterionResult(g.Name, dense?.Average(r => Metric.TestAccuracy.Of(r)!.Value) ?? double.NaN, dense?.Count ?? 0, double.NaN, null, []));
                continue;
            }
            var denseAcc = dense.Select(r => Metric.TestAccuracy.Of(r)!.Value).ToList();
            double denseEs = dense.Average(r => (double)r.Summary.EarlyStopIteration!.Value);
            var levels = new List<CriterionLevel>();
            foreach (var (level, runs) in byLevel.Where(kv => kv.Key > 0 && kv.Value.Count >= Math.Max(2, minN)).OrderBy(kv => kv.Key))
            {
                var acc = runs.Select(r => Metric.TestAccuracy.Of(r)!.Value).ToList();
                var common = runs.Select(r => r.Seed).Intersect(dense.Select(r => r.Seed)).Order().ToList();
                bool paired = common.Count >= Math.Max(2, minN);
                DifferenceCi diff;
                TestResult test;
                if (paired)
                {
                    var l = common.Select(s => Metric.TestAccuracy.Of(runs.First(r => r.Seed == s))!.Value).ToList();
                    var d = common.Select(s => Metric.TestAccuracy.Of(dense.First(r => r.Seed == s))!.Value).ToList();
                    diff = TTest.PairedDifference(l, d);
                    test = TTest.Paired(l, d, Alternative.Less);
                }
                else
                {
                    diff = TTest.WelchDifference(acc, denseAcc);
                    test = TTest.Welch(acc, denseAcc, Alternative.Less);
                }
                var ci = MeanCi.Of(acc);
                double es = runs.Average(r => (double)r.Summary.EarlyStopIteration!.Value);
                levels.Add(new CriterionLevel(g.Name, level, runs.Average(r => r.Summary.Density), acc.Count, ci.Mean, ci.Low, ci.High,
                    paired, paired ? common.Count : 0, diff, test, !(test.P < alpha), es, es > 0 ? denseEs / es : double.NaN));
            }
            CriterionLevel? ticket = null;
            foreach (var l in levels)
            {
                if (!l.NotSignificantlyBelow) break;
                ticket = l;
            }
            results.Add(new CriterionResult(g.Name, denseAcc.Average(), denseAcc.Count, denseEs, ticket, levels));
        }
        return results;
    }

    public static readonly string[] Header =
    [
        "group", "dense_mean", "dense_n", "ticket_level", "ticket_density", "ticket_n", "ticket_mean", "ticket_ci95_low", "ticket_ci95_high",
        "difference_from_dense", "difference_ci95_low", "difference_ci95_high", "test", "p_one_sided", "dense_early_stop", "ticket_early_stop", "speed_up",
    ];

    public static readonly string[] LevelHeader =
    [
        "group", "level", "density", "n", "mean", "ci95_low", "ci95_high", "paired", "n_pairs", "difference_from_dense",
        "difference_ci95_low", "difference_ci95_high", "test", "statistic", "df", "p_one_sided", "not_significantly_below_dense", "early_stop_mean", "speed_up",
    ];

    /// <summary>Writes <c>criterion.csv</c> (one row per group) and <c>criterion_levels.csv</c> (every tested level).</summary>
    public static void Write(string path, string levelsPath, IReadOnlyList<CriterionResult> results)
    {
        Csv.Write(path, Header, results.Select(r => (IReadOnlyList<string>)
        [
            r.Group, Csv.Num(r.DenseMean), Csv.Num(r.DenseN), Csv.Num(r.Ticket?.Level), Csv.Num(r.Ticket?.Density), Csv.Num(r.Ticket?.N),
            Csv.Num(r.Ticket?.Mean), Csv.Num(r.Ticket?.CiLow), Csv.Num(r.Ticket?.CiHigh), Csv.Num(r.Ticket?.DifferenceFromDense.Difference),
            Csv.Num(r.Ticket?.DifferenceFromDense.Low), Csv.Num(r.Ticket?.DifferenceFromDense.High), r.Ticket?.Test.Test ?? "",
            Csv.Num(r.Ticket?.Test.P), Csv.Num(r.DenseEarlyStop), Csv.Num(r.Ticket?.EarlyStopMean), Csv.Num(r.Ticket?.SpeedUp),
        ]));
        Csv.Write(levelsPath, LevelHeader, results.SelectMany(r => r.Levels).Select(l => (IReadOnlyList<string>)
        [
            l.Group, Csv.Num(l.Level), Csv.Num(l.Density), Csv.Num(l.N), Csv.Num(l.Mean), Csv.Num(l.CiLow), Csv.Num(l.CiHigh),
            l.Paired ? "true" : "false", Csv.Num(l.NPairs), Csv.Num(l.DifferenceFromDense.Difference), Csv.Num(l.DifferenceFromDense.Low),
            Csv.Num(l.DifferenceFromDense.High), l.Test.Test, Csv.Num(l.Test.Statistic), Csv.Num(l.Test.Df), Csv.Num(l.Test.P),
            l.NotSignificantlyBelow ? "true" : "false", Csv.Num(l.EarlyStopMean), Csv.Num(l.SpeedUp),
        ]));
    }

    /// <summary>The result in words, e.g. "matches dense down to 26.2% of weights (…)".</summary>
    public static string Describe(CriterionResult r)
    {
        if (r.Levels.Count == 0) return $"{r.Group}: not enough runs to test (dense n = {r.DenseN}).";
        if (r.Ticket is not { } t)
        {
            var first = r.Levels[0];
            return $"{r.Group}: already significantly below dense at level {first.Level} ({Verdict.Pct(first.Density)} of weights; " +
                   $"Δ = {Verdict.Pp(first.DifferenceFromDense.Difference)}, one-sided p = {Verdict.P(first.Test.P)}): no winning ticket found.";
        }
        string speed = double.IsNaN(t.SpeedUp) ? "" : $"; early stopping {t.SpeedUp.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)}× sooner than dense";
        string deepest = t.Level == r.Levels[^1].Level ? ", the deepest level tested: it may go sparser" : "";
        return $"{r.Group}: matches dense accuracy down to {Verdict.Pct(t.Density)} of weights (level {t.Level}{deepest}): mean {Acc(t.Mean)} " +
               $"[{Acc(t.CiLow)}, {Acc(t.CiHigh)}] vs dense {Acc(r.DenseMean)}; Δ = {Verdict.Pp(t.DifferenceFromDense.Difference)} " +
               $"[{Verdict.Pp(t.DifferenceFromDense.Low)}, {Verdict.Pp(t.DifferenceFromDense.High)}], {t.Test.Test} one-sided p = {Verdict.P(t.Test.P)}{speed}.";
    }

    internal static string Acc(double a) => double.IsNaN(a) ? "n/a" : a.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture);
}
