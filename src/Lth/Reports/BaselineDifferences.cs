namespace Lth.Reports;

/// <summary>One group's mean difference in test accuracy from the baseline group at one level, with its 95% CI.</summary>
public sealed record BaselinePoint(string Group, string Baseline, int Level, double Density, bool Paired, int NPairs, DifferenceCi Difference);

/// <summary>
/// Differences from a baseline group, level by level (<c>baseline_differences.csv</c>, and the figure drawn from it).
/// Taken from the pairwise comparisons, so paired by seed wherever those are (Welch otherwise), signed group − baseline.
/// </summary>
public static class BaselineDifferences
{
    /// <summary>The scheme the report compares against when none is named, if the study has it.</summary>
    public const string Preferred = "xavier-normal";

    /// <summary>
    /// The baseline: <paramref name="requested"/> when given (it must name a group), else <see cref="Preferred"/> when it
    /// trained, else the first trained group in name order (the first group when none trained).
    /// </summary>
    /// <exception cref="HparamsException">The requested group is not in the study.</exception>
    public static string Choose(StudyResults study, IReadOnlyList<string> trained, string? requested)
    {
        if (requested is not null)
            return study.Groups.Any(g => g.Name == requested) ? requested
                : throw new HparamsException($"--baseline: no group '{requested}' in the study (groups: {string.Join(", ", study.Groups.Select(g => g.Name))})");
        if (trained.Contains(Preferred)) return Preferred;
        return trained.Order(StringComparer.Ordinal).FirstOrDefault() ?? study.Groups[0].Name;
    }

    /// <summary>Every other group's difference from <paramref name="baseline"/> at each level both were compared.</summary>
    public static List<BaselinePoint> Compute(IReadOnlyList<Comparison> comparisons, string baseline, IReadOnlyList<string> groups) =>
        comparisons.Where(c => (c.A == baseline && groups.Contains(c.B)) || (c.B == baseline && groups.Contains(c.A)))
            .Select(c => c.B == baseline
                ? new BaselinePoint(c.A, baseline, c.Level, c.Density, c.Paired, c.NPairs, c.Difference)
                : new BaselinePoint(c.B, baseline, c.Level, c.Density, c.Paired, c.NPairs, new DifferenceCi(-c.Difference.Difference, -c.Difference.High, -c.Difference.Low)))
            .OrderBy(p => groups.ToList().IndexOf(p.Group)).ThenBy(p => p.Level).ToList();

    public static readonly string[] Header = ["group", "baseline", "level", "density", "paired", "n_pairs", "difference", "difference_ci95_low", "difference_ci95_high"];

    public static void Write(string path, IEnumerable<BaselinePoint> points) =>
        Csv.Write(path, Header, points.Select(p => (IReadOnlyList<string>)
        [
            p.Group, p.Baseline, Csv.Num(p.Level), Csv.Num(p.Density), p.Paired ? "true" : "false", Csv.Num(p.NPairs),
            Csv.Num(p.Difference.Difference), Csv.Num(p.Difference.Low), Csv.Num(p.Difference.High),
        ]));
}
