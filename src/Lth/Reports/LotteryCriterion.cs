namespace Lth.Reports;

/// <summary>Where one pruned level stands against the same group's dense accuracy, at the equivalence margin.</summary>
public enum MatchState
{
    /// <summary>The 95% CI of the paired difference (level − dense) lies entirely above −margin: shown to match.</summary>
    Matches,
    /// <summary>The whole 95% CI lies below −margin: shown to fall short.</summary>
    Below,
    /// <summary>Fewer than <see cref="LotteryCriterion.MinPairs"/> paired seeds, or the CI crosses −margin.</summary>
    Undetermined,
}

/// <summary>A group's answer to "down to which density does it match dense accuracy?".</summary>
public enum CriterionOutcome
{
    /// <summary>Some level is shown to match (<see cref="CriterionResult.Ticket"/>).</summary>
    Matches,
    /// <summary>No level matches and the first level that can be decided is shown below dense − margin.</summary>
    None,
    /// <summary>The data cannot show it either way (too few paired seeds, or every CI crosses −margin).</summary>
    Undetermined,
}

/// <summary>One level of one group tested against the same group's dense network (level 0).</summary>
/// <param name="Test">The non-inferiority test (paired t of H0: Δ ≤ −margin vs H1: Δ &gt; −margin); p &lt; 0.025 exactly when the CI's low end clears −margin.</param>
public sealed record CriterionLevel(
    string Group, int Level, double Density, int N, double Mean, double CiLow, double CiHigh,
    bool Paired, int NPairs, DifferenceCi DifferenceFromDense, TestResult Test, MatchState State,
    double EarlyStopMean, double SpeedUp);

/// <summary>A group's lottery-ticket result: the sparsest level shown to match dense accuracy, or why there is none.</summary>
public sealed record CriterionResult(
    string Group, double DenseMean, int DenseN, double DenseEarlyStop, CriterionLevel? Ticket, IReadOnlyList<CriterionLevel> Levels,
    double Margin, CriterionOutcome Outcome);

/// <summary>
/// The lottery-ticket criterion (Frankle &amp; Carbin: a subnetwork that, reset and retrained, reaches the dense
/// network's test accuracy) as an equivalence (non-inferiority) test: a pruned level <i>matches</i> dense when the
/// 95% t CI of the paired difference (level minus the same seed's dense level) lies entirely above −margin. It needs at
/// least <see cref="MinPairs"/> seeds with both levels; with fewer, or when the CI crosses −margin, the level is
/// <see cref="MatchState.Undetermined"/>: absence of evidence is never read as a match. The ticket is the sparsest
/// matching level with no denser level shown below −margin, reported with the early-stopping speed-up there (mean
/// dense early-stop iteration / mean early-stop iteration of that level).
/// </summary>
public static class LotteryCriterion
{
    /// <summary>Paired seeds a level needs before it can be shown to match.</summary>
    public const int MinPairs = 3;

    /// <summary>The default equivalence margin: 1 percentage point of accuracy.</summary>
    public const double DefaultMargin = 0.01;

    public static List<CriterionResult> Compute(StudyResults study, int minN = 2, double margin = DefaultMargin)
    {
        var results = new List<CriterionResult>();
        foreach (var g in study.Groups)
        {
            var byLevel = study.Of(g.Name).Where(r => Metric.TestAccuracy.Of(r) is not null).GroupBy(r => r.Level).ToDictionary(x => x.Key, x => x.ToList());
            if (!byLevel.TryGetValue(0, out var dense) || dense.Count < Math.Max(2, minN))
            {
                results.Add(new CriterionResult(g.Name, dense?.Average(r => Metric.TestAccuracy.Of(r)!.Value) ?? double.NaN, dense?.Count ?? 0,
                    double.NaN, null, [], margin, CriterionOutcome.Undetermined));
                continue;
            }
            var denseAcc = dense.Select(r => Metric.TestAccuracy.Of(r)!.Value).ToList();
            double denseEs = dense.Average(r => (double)r.Summary.EarlyStopIteration!.Value);
            var levels = byLevel.Where(kv => kv.Key > 0 && kv.Value.Count >= Math.Max(2, minN)).OrderBy(kv => kv.Key)
                .Select(kv => Level(g.Name, kv.Value, dense, denseAcc, denseEs, minN, margin)).ToList();
            var (ticket, outcome) = Decide(levels);
            results.Add(new CriterionResult(g.Name, denseAcc.Average(), denseAcc.Count, denseEs, ticket, levels, margin, outcome));
        }
        return results;
    }

    private static CriterionLevel Level(string group, List<RunLevel> runs, List<RunLevel> dense, List<double> denseAcc, double denseEs, int minN, double margin)
    {
        var acc = runs.Select(r => Metric.TestAccuracy.Of(r)!.Value).ToList();
        var common = runs.Select(r => r.Seed).Intersect(dense.Select(r => r.Seed)).Order().ToList();
        bool paired = common.Count >= Math.Max(2, minN);
        DifferenceCi diff;
        TestResult test;
        MatchState state = MatchState.Undetermined;
        const string name = "paired t non-inferiority";
        if (paired)
        {
            var l = common.Select(s => Metric.TestAccuracy.Of(runs.First(r => r.Seed == s))!.Value).ToList();
            var d = common.Select(s => Metric.TestAccuracy.Of(dense.First(r => r.Seed == s))!.Value).ToList();
            diff = TTest.PairedDifference(l, d);
            var deltas = l.Zip(d, (x, y) => x - y).ToList();
            test = common.Count >= MinPairs
                ? TTest.OneSample(deltas, -margin, Alternative.Greater, name)
                : TestResult.NotRun(name, Alternative.Greater, $"needs {MinPairs} paired seeds (has {common.Count})");
            if (common.Count >= MinPairs && !double.IsNaN(diff.Low))
                state = diff.Low > -margin ? MatchState.Matches : diff.High < -margin ? MatchState.Below : MatchState.Undetermined;
        }
        else
        {
            diff = TTest.WelchDifference(acc, denseAcc);
            test = TestResult.NotRun(name, Alternative.Greater, $"needs {MinPairs} paired seeds (has {common.Count})");
        }
        var ci = MeanCi.Of(acc);
        double es = runs.Average(r => (double)r.Summary.EarlyStopIteration!.Value);
        return new CriterionLevel(group, runs[0].Level, runs.Average(r => r.Summary.Density), acc.Count, ci.Mean, ci.Low, ci.High,
            paired, paired ? common.Count : 0, diff, test, state, es, es > 0 ? denseEs / es : double.NaN);
    }

    /// <summary>The ticket (sparsest match with no denser level shown below) and the group's outcome.</summary>
    private static (CriterionLevel? Ticket, CriterionOutcome Outcome) Decide(List<CriterionLevel> levels)
    {
        CriterionLevel? ticket = null;
        foreach (var l in levels)
        {
            if (l.State == MatchState.Below) break;
            if (l.State == MatchState.Matches) ticket = l;
        }
        if (ticket is not null) return (ticket, CriterionOutcome.Matches);
        return levels.Any(l => l.State == MatchState.Below) ? (null, CriterionOutcome.None) : (null, CriterionOutcome.Undetermined);
    }

    public static readonly string[] Header =
    [
        "group", "outcome", "margin", "dense_mean", "dense_n", "ticket_level", "ticket_density", "ticket_n", "ticket_mean", "ticket_ci95_low", "ticket_ci95_high",
        "difference_from_dense", "difference_ci95_low", "difference_ci95_high", "test", "p_non_inferiority", "dense_early_stop", "ticket_early_stop", "speed_up",
    ];

    public static readonly string[] LevelHeader =
    [
        "group", "level", "density", "n", "mean", "ci95_low", "ci95_high", "paired", "n_pairs", "difference_from_dense",
        "difference_ci95_low", "difference_ci95_high", "test", "statistic", "df", "p_non_inferiority", "state", "early_stop_mean", "speed_up",
    ];

    /// <summary>Writes <c>criterion.csv</c> (one row per group) and <c>criterion_levels.csv</c> (every tested level).</summary>
    public static void Write(string path, string levelsPath, IReadOnlyList<CriterionResult> results)
    {
        Csv.Write(path, Header, results.Select(r => (IReadOnlyList<string>)
        [
            r.Group, Word(r.Outcome), Csv.Num(r.Margin), Csv.Num(r.DenseMean), Csv.Num(r.DenseN), Csv.Num(r.Ticket?.Level), Csv.Num(r.Ticket?.Density), Csv.Num(r.Ticket?.N),
            Csv.Num(r.Ticket?.Mean), Csv.Num(r.Ticket?.CiLow), Csv.Num(r.Ticket?.CiHigh), Csv.Num(r.Ticket?.DifferenceFromDense.Difference),
            Csv.Num(r.Ticket?.DifferenceFromDense.Low), Csv.Num(r.Ticket?.DifferenceFromDense.High), r.Ticket?.Test.Test ?? "",
            Csv.Num(r.Ticket?.Test.P), Csv.Num(r.DenseEarlyStop), Csv.Num(r.Ticket?.EarlyStopMean), Csv.Num(r.Ticket?.SpeedUp),
        ]));
        Csv.Write(levelsPath, LevelHeader, results.SelectMany(r => r.Levels).Select(l => (IReadOnlyList<string>)
        [
            l.Group, Csv.Num(l.Level), Csv.Num(l.Density), Csv.Num(l.N), Csv.Num(l.Mean), Csv.Num(l.CiLow), Csv.Num(l.CiHigh),
            l.Paired ? "true" : "false", Csv.Num(l.NPairs), Csv.Num(l.DifferenceFromDense.Difference), Csv.Num(l.DifferenceFromDense.Low),
            Csv.Num(l.DifferenceFromDense.High), l.Test.Test, Csv.Num(l.Test.Statistic), Csv.Num(l.Test.Df), Csv.Num(l.Test.P),
            Word(l.State), Csv.Num(l.EarlyStopMean), Csv.Num(l.SpeedUp),
        ]));
    }

    /// <summary>The outcome as one short cell: "64.0% (level 2)", "none (below at 80.0%)" or "undetermined".</summary>
    public static string Short(CriterionResult r) => r.Outcome switch
    {
        CriterionOutcome.Matches => $"{Verdict.Pct(r.Ticket!.Density)} (level {r.Ticket.Level}{(r.Ticket.Level == r.Levels[^1].Level ? ", deepest" : "")})",
        CriterionOutcome.None => $"none (below at {Verdict.Pct(r.Levels.First(l => l.State == MatchState.Below).Density)})",
        _ => "undetermined",
    };

    /// <summary>The result in words, e.g. "matches dense accuracy down to 26.2% of weights (…)".</summary>
    public static string Describe(CriterionResult r)
    {
        string m = Verdict.Pp(-r.Margin).Replace(" pp", "");
        if (r.Levels.Count == 0) return $"{r.Group}: undetermined: not enough runs to test (dense n = {r.DenseN}).";
        if (r.Outcome == CriterionOutcome.Undetermined)
        {
            int pairs = r.Levels.Max(l => l.NPairs);
            return pairs < MinPairs
                ? $"{r.Group}: undetermined: {pairs} paired seed(s), at least {MinPairs} are needed to show a match."
                : $"{r.Group}: undetermined: at every pruned level the 95% CI of the paired difference from dense crosses {m} pp (too few or too noisy seeds to show a match).";
        }
        if (r.Ticket is not { } t)
        {
            var first = r.Levels.First(l => l.State == MatchState.Below);
            return $"{r.Group}: no level shown to match dense: at level {first.Level} ({Verdict.Pct(first.Density)} of weights) Δ = {Verdict.Pp(first.DifferenceFromDense.Difference)} " +
                   $"[{Verdict.Pp(first.DifferenceFromDense.Low)}, {Verdict.Pp(first.DifferenceFromDense.High)}] lies below {m} pp.";
        }
        string speed = double.IsNaN(t.SpeedUp) ? "" : $"; early stopping {t.SpeedUp.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)}× sooner than dense";
        string deepest = t.Level == r.Levels[^1].Level ? ", the deepest level tested: it may go sparser" : "";
        return $"{r.Group}: matches dense accuracy down to {Verdict.Pct(t.Density)} of weights (level {t.Level}{deepest}): mean {Acc(t.Mean)} " +
               $"[{Acc(t.CiLow)}, {Acc(t.CiHigh)}] vs dense {Acc(r.DenseMean)}; Δ = {Verdict.Pp(t.DifferenceFromDense.Difference)} " +
               $"[{Verdict.Pp(t.DifferenceFromDense.Low)}, {Verdict.Pp(t.DifferenceFromDense.High)}] above {m} pp, {t.Test.Test} p = {Verdict.P(t.Test.P)}{speed}.";
    }

    internal static string Word(MatchState s) => s switch { MatchState.Matches => "matches", MatchState.Below => "below", _ => "undetermined" };
    internal static string Word(CriterionOutcome o) => o switch { CriterionOutcome.Matches => "matches", CriterionOutcome.None => "none", _ => "undetermined" };

    internal static string Acc(double a) => double.IsNaN(a) ? "n/a" : a.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture);
}
