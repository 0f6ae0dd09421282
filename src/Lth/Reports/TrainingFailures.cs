namespace Lth.Reports;

/// <summary>A group that did not train, and why (one line, e.g. "dense accuracy 0.1130, near chance 0.10").</summary>
public sealed record FailedGroup(string Group, double DenseMean, string Reason);

/// <summary>
/// Finds the groups that failed to train, so that the report lists them once instead of comparing them again and
/// again. A group failed when (1) its dense (level 0) mean test accuracy is below chance + <see cref="NearChance"/>
/// (chance = 1 / classes), (2) every one of its dense runs diverged, or (3) its dense mean is more than
/// <see cref="BehindBest"/> below the best group's dense mean. A group without a finished dense level is not judged.
/// </summary>
public static class TrainingFailures
{
    /// <summary>How far above chance a dense mean must be to count as trained (10 percentage points).</summary>
    public const double NearChance = 0.10;

    /// <summary>How far below the best group's dense mean a group may fall and still count as trained (20 pp).</summary>
    public const double BehindBest = 0.20;

    /// <summary>Classes assumed when the dataset does not say (every dataset lth knows has 10).</summary>
    public const int DefaultClasses = 10;

    /// <summary>The rule in one sentence, for the report.</summary>
    public static string Rule(double chance) =>
        $"A group failed to train when its dense mean test accuracy is below chance + {Pp(NearChance)} (chance = {Verdict.Pct(chance)}), " +
        $"when all its dense runs diverged, or when its dense mean is more than {Pp(BehindBest)} below the best group's; failed groups are listed once and left out of the pairwise verdict, the rank and the figures of trained groups.";

    /// <param name="study">The runs.</param>
    /// <param name="classesOf">Classes of a dataset by name; null or an unknown name gives <see cref="DefaultClasses"/>.</param>
    public static List<FailedGroup> Find(StudyResults study, Func<string, int?>? classesOf = null)
    {
        var dense = study.Groups.Select(g =>
        {
            var rows = study.Of(g.Name).Where(r => r.Level == 0).ToList();
            var acc = rows.Select(r => Metric.TestAccuracy.Of(r)).OfType<double>().ToList();
            return (Group: g, Rows: rows, Mean: acc.Count > 0 ? acc.Average() : double.NaN);
        }).ToList();
        double best = dense.Select(d => d.Mean).Where(m => !double.IsNaN(m)).DefaultIfEmpty(double.NaN).Max();
        var failed = new List<FailedGroup>();
        foreach (var (g, rows, mean) in dense)
        {
            if (rows.Count == 0) continue;
            double chance = Chance(study, g.Name, classesOf);
            if (double.IsNaN(mean))
            {
                if (rows.All(r => r.Summary.Diverged)) failed.Add(new FailedGroup(g.Name, mean, $"all {rows.Count} dense runs diverged"));
                continue;
            }
            if (mean < chance + NearChance)
                failed.Add(new FailedGroup(g.Name, mean, $"dense accuracy {LotteryCriterion.Acc(mean)}, near chance ({LotteryCriterion.Acc(chance)})"));
            else if (mean < best - BehindBest)
                failed.Add(new FailedGroup(g.Name, mean, $"dense accuracy {LotteryCriterion.Acc(mean)}, {Pp(best - mean)} below the best group's {LotteryCriterion.Acc(best)}"));
        }
        return failed;
    }

    /// <summary>Chance accuracy of the study (of its first group's dataset).</summary>
    public static double Chance(StudyResults study, Func<string, int?>? classesOf = null) =>
        study.Groups.Count == 0 ? 1.0 / DefaultClasses : Chance(study, study.Groups[0].Name, classesOf);

    private static double Chance(StudyResults study, string group, Func<string, int?>? classesOf)
    {
        var dataset = study.Of(group).First().Hparams.Dataset.Name;
        int classes = classesOf?.Invoke(dataset) is int c and > 1 ? c : DefaultClasses;
        return 1.0 / classes;
    }

    private static string Pp(double x) => (x * 100).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " pp";
}
