using System.Globalization;

namespace Lth.Reports;

/// <summary>One group at one level: which groups it is significantly better / worse than, and where no difference is detectable.</summary>
public sealed record GroupVerdict(int Level, double Density, string Group, IReadOnlyList<string> BetterThan, IReadOnlyList<string> WorseThan, IReadOnlyList<string> NoDifference);

/// <summary>One level's verdict: its per-group rows and a sentence saying it plainly.</summary>
public sealed record LevelVerdict(int Level, double Density, IReadOnlyList<GroupVerdict> Groups, string Text);

/// <summary>
/// Turns the pairwise comparisons into plain statements per level: "A is better than B (Δ, CI, test, Holm p)" for
/// every comparison whose Holm-adjusted p is below α, and "no detectable difference" otherwise. A missing
/// difference is not shown equality; the CI of the difference says how large a difference the data still allow.
/// </summary>
public static class Verdict
{
    public static List<LevelVerdict> Compute(IReadOnlyList<Comparison> comparisons, double alpha = Comparisons.Alpha)
    {
        var list = new List<LevelVerdict>();
        foreach (var lv in comparisons.GroupBy(c => c.Level).OrderBy(g => g.Key))
        {
            var cs = lv.ToList();
            double density = cs.Average(c => c.Density);
            var groups = cs.SelectMany(c => new[] { c.A, c.B }).Distinct().ToList();
            var rows = groups.Select(g => new GroupVerdict(lv.Key, density, g,
                cs.Where(c => (c.A == g && c.Direction(alpha) > 0) || (c.B == g && c.Direction(alpha) < 0)).Select(c => c.A == g ? c.B : c.A).ToList(),
                cs.Where(c => (c.A == g && c.Direction(alpha) < 0) || (c.B == g && c.Direction(alpha) > 0)).Select(c => c.A == g ? c.B : c.A).ToList(),
                cs.Where(c => (c.A == g || c.B == g) && c.Direction(alpha) == 0).Select(c => c.A == g ? c.B : c.A).ToList())).ToList();
            list.Add(new LevelVerdict(lv.Key, density, rows, Sentence(lv.Key, density, cs, groups.Count, alpha)));
        }
        return list;
    }

    private static string Sentence(int level, double density, List<Comparison> cs, int groups, double alpha)
    {
        string head = $"Level {level} ({Pct(density)} of weights remaining): ";
        var sig = cs.Where(c => c.Direction(alpha) != 0).ToList();
        if (sig.Count == 0)
        {
            double minP = cs.Select(c => c.PHolm).Where(p => !double.IsNaN(p)).DefaultIfEmpty(double.NaN).Min();
            return head + $"no detectable difference between any of the {groups} groups (smallest Holm-adjusted p = {P(minP)}).";
        }
        var parts = sig.Select(c =>
        {
            var (better, worse, sign) = c.Direction(alpha) > 0 ? (c.A, c.B, 1) : (c.B, c.A, -1);
            var d = c.Difference;
            double lo = sign > 0 ? d.Low : -d.High, hi = sign > 0 ? d.High : -d.Low;
            return $"{better} is better than {worse} (by {Pp(sign * d.Difference)} accuracy, 95% CI [{Pp(lo)}, {Pp(hi)}], {c.Test.Test}, Holm p = {P(c.PHolm)})";
        });
        string rest = sig.Count < cs.Count ? $"; no detectable difference in the other {cs.Count - sig.Count} comparison(s)" : "";
        return head + string.Join("; ", parts) + rest + ".";
    }

    public static readonly string[] Header = ["level", "density", "group", "better_than", "worse_than", "no_detectable_difference_with"];

    public static void Write(string path, IEnumerable<LevelVerdict> levels) =>
        Csv.Write(path, Header, levels.SelectMany(l => l.Groups).Select(g => (IReadOnlyList<string>)
        [
            Csv.Num(g.Level), Csv.Num(g.Density), g.Group, string.Join("; ", g.BetterThan), string.Join("; ", g.WorseThan), string.Join("; ", g.NoDifference),
        ]));

    internal static string Pct(double density) => (density * 100).ToString(density >= 0.1 ? "0.0" : "0.00", CultureInfo.InvariantCulture) + "%";
    internal static string Pp(double diff) => (diff >= 0 ? "+" : "") + (diff * 100).ToString("0.00", CultureInfo.InvariantCulture) + " pp";
    internal static string P(double p) => double.IsNaN(p) ? "n/a" : p < 1e-4 ? "< 0.0001" : p.ToString("0.0000", CultureInfo.InvariantCulture);
}
