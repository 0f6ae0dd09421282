namespace Lth.Reports;

/// <summary>One ordered pair of trained groups that differs significantly at one level or more, and its sentence.</summary>
/// <param name="Levels">The levels where <paramref name="Better"/> is significantly more accurate than <paramref name="Worse"/>.</param>
/// <param name="Compared">How many levels compared the two.</param>
public sealed record VerdictPair(string Better, string Worse, IReadOnlyList<int> Levels, int Compared, double MinDifference, double MaxDifference, double MaxPHolm, string Text);

/// <summary>
/// The verdict the report opens with: only the pairs of trained groups that differ significantly (one line per pair,
/// naming the levels where they do; the pairs at most levels first; a group that every other trained group beats at
/// every level gets one line instead of one per pair), then one line for the failed groups. The level-by-level prose
/// of <see cref="Verdict"/> stays in the report's details.
/// </summary>
/// <param name="Pairs">Every significant ordered pair.</param>
/// <param name="PairLines">The sentences saying them (folded where a group loses to all others everywhere).</param>
public sealed record VerdictSummary(IReadOnlyList<VerdictPair> Pairs, IReadOnlyList<string> PairLines, string? NoneLine, string? FailedLine)
{
    /// <summary>The sentences, in order: the significant pairs (or one saying there are none), then the failed groups'.</summary>
    public IEnumerable<string> Lines => PairLines.Concat(NoneLine is null ? [] : [NoneLine]).Concat(FailedLine is null ? [] : [FailedLine]);

    public static VerdictSummary Compute(IReadOnlyList<PairwiseMatrix> matrices, IReadOnlyList<Comparison> comparisons,
        IReadOnlyList<string> trained, IReadOnlyList<FailedGroup> failed, double alpha = Comparisons.Alpha)
    {
        var cells = matrices.SelectMany(m => m.SignificantPairs().Select(p => (m.Level, p.Better, p.Worse, p.Difference, p.PHolm))).ToList();
        var pairs = cells.GroupBy(c => (c.Better, c.Worse)).Select(g =>
        {
            var levels = g.Select(c => c.Level).Order().ToList();
            int compared = matrices.Count(m => m.Groups.Contains(g.Key.Better) && m.Groups.Contains(g.Key.Worse));
            double lo = g.Min(c => c.Difference), hi = g.Max(c => c.Difference), p = g.Max(c => c.PHolm);
            string where = levels.Count == compared ? $"at all {compared} level{(compared == 1 ? "" : "s")} compared" : $"at {levels.Count} of {compared} levels ({Ranges(levels)})";
            string by = levels.Count == 1 ? Verdict.Pp(lo) : $"{Verdict.Pp(lo).Replace(" pp", "")} to {Verdict.Pp(hi)}";
            return new VerdictPair(g.Key.Better, g.Key.Worse, levels, compared, lo, hi, p,
                $"{g.Key.Better} > {g.Key.Worse} {where}: {by}, Holm p {(p < 1e-4 ? "< 0.0001" : (levels.Count == 1 ? "= " : "≤ ") + Verdict.P(p))}.");
        }).OrderByDescending(p => p.Levels.Count).ThenBy(p => trained.ToList().IndexOf(p.Better)).ThenBy(p => trained.ToList().IndexOf(p.Worse)).ToList();
        string? none = pairs.Count > 0 || matrices.Count == 0 ? null
            : $"No significant difference among the {trained.Count} trained groups at any of the {matrices.Count} levels compared.";
        return new VerdictSummary(pairs, Fold(pairs, trained), none, FailedSentence(comparisons, trained, failed, alpha));
    }

    /// <summary>One line for each group beaten by every other trained group at every level compared, then the remaining pairs.</summary>
    private static List<string> Fold(List<VerdictPair> pairs, IReadOnlyList<string> trained)
    {
        var lines = new List<string>();
        var folded = new HashSet<VerdictPair>();
        if (trained.Count >= 3)
            foreach (var w in trained)
            {
                var lost = pairs.Where(p => p.Worse == w && p.Levels.Count == p.Compared).ToList();
                if (lost.Count != trained.Count - 1) continue;
                folded.UnionWith(lost);
                double p = lost.Max(x => x.MaxPHolm);
                lines.Add($"All {lost.Count} other trained groups beat {w} at every level compared: {Verdict.Pp(lost.Min(x => x.MinDifference)).Replace(" pp", "")} to " +
                          $"{Verdict.Pp(lost.Max(x => x.MaxDifference))}, Holm p {(p < 1e-4 ? "< 0.0001" : "≤ " + Verdict.P(p))}.");
            }
        lines.AddRange(pairs.Where(p => !folded.Contains(p)).Select(p => p.Text));
        return lines;
    }

    /// <summary>Levels as ranges: 0–8, 10, 12–20.</summary>
    internal static string Ranges(IReadOnlyList<int> levels)
    {
        var parts = new List<string>();
        for (int i = 0; i < levels.Count;)
        {
            int j = i;
            while (j + 1 < levels.Count && levels[j + 1] == levels[j] + 1) j++;
            parts.Add(j == i ? $"{levels[i]}" : $"{levels[i]}–{levels[j]}");
            i = j + 1;
        }
        return string.Join(", ", parts);
    }

    private static string? FailedSentence(IReadOnlyList<Comparison> comparisons, IReadOnlyList<string> trained, IReadOnlyList<FailedGroup> failed, double alpha)
    {
        if (failed.Count == 0) return null;
        string names = Join(failed.Select(f => f.Group).ToList());
        var vs = comparisons.Where(c => (trained.Contains(c.A) && failed.Any(f => f.Group == c.B)) || (trained.Contains(c.B) && failed.Any(f => f.Group == c.A))).ToList();
        if (vs.Count == 0) return $"Failed to train, not compared: {names}.";
        bool TrainedWins(Comparison c) => trained.Contains(c.A) ? c.Direction(alpha) > 0 : c.Direction(alpha) < 0;
        var lost = vs.Where(c => !TrainedWins(c)).ToList();
        if (lost.Count == 0)
            return $"All {trained.Count} trained groups beat {names} at every level compared (Holm p < {A(alpha)}).";
        var examples = lost.Take(4).Select(c => $"{c.A} vs {c.B} at level {c.Level} ({c.Outcome(alpha)})");
        return $"The trained groups beat {names} in {vs.Count - lost.Count} of {vs.Count} comparisons (Holm p < {A(alpha)}); not in: {string.Join(", ", examples)}{(lost.Count > 4 ? ", …" : "")}.";
    }

    private static string A(double a) => a.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Join(IReadOnlyList<string> xs) => xs.Count <= 1 ? string.Join("", xs) : string.Join(", ", xs.Take(xs.Count - 1)) + " and " + xs[^1];
}
