using System.Globalization;

namespace Lth.Reports;

/// <summary>One group's row of the headline table.</summary>
/// <param name="Dense">Test accuracy at early stop of the dense level (level 0) over seeds.</param>
/// <param name="AtLandmarks">The same at each of <see cref="Headline.Landmarks"/>; null where the group has no usable run there.</param>
/// <param name="Criterion">The lottery-ticket criterion (sparsest level shown to match dense).</param>
/// <param name="Failed">Why the group failed to train, or null when it trained.</param>
/// <param name="Rank">1 = best mean accuracy at the rank level among trained groups; null when failed or without data there.</param>
/// <param name="Behind">Trained groups significantly better than this one at the rank level (Holm p &lt; α).</param>
public sealed record HeadlineRow(string Group, MeanCi Dense, IReadOnlyList<MeanCi?> AtLandmarks, CriterionResult? Criterion,
    FailedGroup? Failed, int? Rank, IReadOnlyList<string> Behind);

/// <summary>
/// What the report opens with: the question, the budget, the rules it applies (matching dense, failing to train,
/// ranking) and one table with a row per group (<see cref="HeadlineRow"/>).
/// </summary>
/// <param name="RankLevel">The level groups are ranked at: the sparsest landmark every trained group reached (level 0 when none).</param>
public sealed record Headline(string Question, string Budget, IReadOnlyList<string> Rules, IReadOnlyList<Landmark> Landmarks,
    int RankLevel, double RankDensity, IReadOnlyList<HeadlineRow> Rows, IReadOnlyList<FailedGroup> Failed, double Margin)
{
    /// <summary>Builds the headline from the report's parts.</summary>
    public static Headline Compute(StudyResults study, IReadOnlyList<Comparison> comparisons, IReadOnlyList<CriterionResult> criterion,
        IReadOnlyList<FailedGroup> failed, double chance, double margin, int minN)
    {
        var landmarks = Reports.Landmarks.Of(study);
        var trained = study.Groups.Where(g => failed.All(f => f.Group != g.Name)).Select(g => g.Name).ToList();
        MeanCi At(string group, int level) => MeanCi.Of(study.Of(group).Where(r => r.Level == level).Select(r => Metric.TestAccuracy.Of(r)).OfType<double>().ToList());
        bool Reached(string group, int level) => At(group, level).N >= Math.Max(2, minN);
        var rankMark = landmarks.LastOrDefault(l => trained.Count > 0 && trained.All(g => Reached(g, l.Level)));
        int rankLevel = rankMark?.Level ?? 0;
        double rankDensity = rankMark?.Density ?? 1.0;
        var means = trained.Select(g => (Group: g, At: At(g, rankLevel))).Where(x => x.At.N > 0).ToList();
        var levelCmp = comparisons.Where(c => c.Level == rankLevel).ToList();

        var rows = study.Groups.Select(g =>
        {
            var fail = failed.FirstOrDefault(f => f.Group == g.Name);
            int? rank = null;
            var behind = new List<string>();
            if (fail is null && means.FirstOrDefault(x => x.Group == g.Name) is { Group: not null } me)
            {
                rank = 1 + means.Count(x => x.At.Mean > me.At.Mean);
                behind = levelCmp.Where(c => (c.A == g.Name && c.Direction() < 0 && trained.Contains(c.B)) || (c.B == g.Name && c.Direction() > 0 && trained.Contains(c.A)))
                    .Select(c => c.A == g.Name ? c.B : c.A).OrderBy(trained.IndexOf).ToList();
            }
            return new HeadlineRow(g.Name, At(g.Name, 0), landmarks.Select(l => At(g.Name, l.Level) is { N: > 0 } m ? m : null).ToList(),
                criterion.FirstOrDefault(c => c.Group == g.Name), fail, rank, behind);
        }).ToList();

        string m = Pp(margin);
        var rules = new List<string>
        {
            $"Matching dense: the 95% CI of the paired difference (level minus the same seed's dense level) lies entirely above −{m} (equivalence margin, --margin). " +
            $"'undetermined' means the data cannot show it: fewer than {LotteryCriterion.MinPairs} paired seeds, or the CI crosses −{m} at every pruned level.",
            TrainingFailures.Rule(chance),
            rankMark is null
                ? "Rank: by mean dense accuracy (no landmark was reached by every trained group); 'behind' lists the trained groups significantly better there (Holm p < 0.05)."
                : $"Rank: by mean accuracy at {Verdict.Pct(rankDensity)} of weights (level {rankLevel}), the sparsest landmark every trained group reached; " +
                  "'behind' lists the trained groups significantly better there (paired t, Holm p < 0.05).",
        };
        return new Headline(QuestionOf(study), BudgetOf(study, landmarks), rules, landmarks, rankLevel, rankDensity, rows, failed, margin);
    }

    private static string QuestionOf(StudyResults study)
    {
        var varying = study.Varying.Select(f => f.Flag switch { "init" => "the init scheme", "control" => "the control", _ => "--" + f.Flag }).ToList();
        string what = varying.Count == 0 ? "the seed alone" : string.Join(" and ", varying);
        return $"How does test accuracy at the early-stopping iteration (minimum validation loss) depend on {what} as iterative magnitude pruning removes weights, " +
               "and down to which density does each group still match its own dense accuracy?";
    }

    private static string BudgetOf(StudyResults study, IReadOnlyList<Landmark> landmarks)
    {
        var seeds = study.Groups.Select(g => study.Of(g.Name).Select(r => r.Seed).Distinct().Count()).ToList();
        string s = seeds.Min() == seeds.Max() ? I(seeds[0]) : $"{seeds.Min()}–{seeds.Max()}";
        var byLevel = study.Rows.GroupBy(r => r.Level).OrderBy(g => g.Key).Select(g => (g.Key, Density: g.Average(r => r.Summary.Density))).ToList();
        string rate = byLevel.Count > 1 && byLevel[0].Key == 0 && byLevel[1].Key == 1 && byLevel[0].Density > 0
            ? $", {((1 - byLevel[1].Density / byLevel[0].Density) * 100).ToString("0.#", CultureInfo.InvariantCulture)}% of the remaining weights pruned per level" : "";
        string marks = landmarks.Count == 0 ? "" : $"; landmarks: {string.Join(", ", landmarks.Select(l => $"{Verdict.Pct(l.Density)} (level {l.Level})"))}";
        return $"{study.Groups.Count} groups × {s} seeds × levels {byLevel[0].Key}–{byLevel[^1].Key} " +
               $"({Verdict.Pct(byLevel[0].Density)} → {Verdict.Pct(byLevel[^1].Density)} of weights remaining{rate}){marks}.";
    }

    internal static string Pp(double x) => (x * 100).ToString("0.##", CultureInfo.InvariantCulture) + " pp";
    private static string I(int x) => x.ToString(CultureInfo.InvariantCulture);
}
