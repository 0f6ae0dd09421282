namespace Lth.Reports;

/// <summary>
/// One level's pairwise verdict among the groups that trained, as a matrix: cell [i, j] is the mean difference in
/// test accuracy of group i minus group j (paired by seed where the comparison is paired), its 95% CI, the Holm-adjusted
/// p of the level's family and whether that p is below α. The diagonal and pairs not compared are NaN / false.
/// </summary>
public sealed record PairwiseMatrix(int Level, double Density, IReadOnlyList<string> Groups,
    double[,] Difference, double[,] Low, double[,] High, double[,] PHolm, bool[,] Significant)
{
    /// <summary>The significant pairs, better group first, each once.</summary>
    public IEnumerable<(string Better, string Worse, double Difference, double PHolm)> SignificantPairs()
    {
        for (int i = 0; i < Groups.Count; i++)
            for (int j = 0; j < Groups.Count; j++)
                if (Significant[i, j] && Difference[i, j] > 0) yield return (Groups[i], Groups[j], Difference[i, j], PHolm[i, j]);
    }
}

/// <summary>Builds the <see cref="PairwiseMatrix"/> of each level from the comparisons, and writes <c>pairwise.csv</c>.</summary>
public static class PairwiseMatrices
{
    /// <param name="comparisons">All comparisons (Holm over every pair of a level; failed groups rank first there and cost the rest no power).</param>
    /// <param name="trained">The groups to show, in order.</param>
    public static List<PairwiseMatrix> Compute(IReadOnlyList<Comparison> comparisons, IReadOnlyList<string> trained, double alpha = Comparisons.Alpha)
    {
        var list = new List<PairwiseMatrix>();
        foreach (var lv in comparisons.GroupBy(c => c.Level).OrderBy(g => g.Key))
        {
            var cs = lv.Where(c => trained.Contains(c.A) && trained.Contains(c.B)).ToList();
            var groups = trained.Where(g => cs.Any(c => c.A == g || c.B == g)).ToList();
            if (groups.Count < 2) continue;
            int n = groups.Count;
            double[,] d = Nan(n), lo = Nan(n), hi = Nan(n), p = Nan(n);
            var sig = new bool[n, n];
            foreach (var c in cs)
            {
                int a = groups.IndexOf(c.A), b = groups.IndexOf(c.B);
                (d[a, b], lo[a, b], hi[a, b]) = (c.Difference.Difference, c.Difference.Low, c.Difference.High);
                (d[b, a], lo[b, a], hi[b, a]) = (-c.Difference.Difference, -c.Difference.High, -c.Difference.Low);
                p[a, b] = p[b, a] = c.PHolm;
                sig[a, b] = sig[b, a] = c.Direction(alpha) != 0;
            }
            list.Add(new PairwiseMatrix(lv.Key, cs.Average(c => c.Density), groups, d, lo, hi, p, sig));
        }
        return list;
    }

    public static readonly string[] Header = ["level", "density", "row", "column", "difference", "difference_ci95_low", "difference_ci95_high", "p_holm", "significant"];

    /// <summary>Writes every matrix in long form: one row per level × ordered pair (row − column).</summary>
    public static void Write(string path, IEnumerable<PairwiseMatrix> matrices) =>
        Csv.Write(path, Header, matrices.SelectMany(m =>
            from i in Enumerable.Range(0, m.Groups.Count)
            from j in Enumerable.Range(0, m.Groups.Count)
            where i != j && !double.IsNaN(m.Difference[i, j])
            select (IReadOnlyList<string>)
            [
                Csv.Num(m.Level), Csv.Num(m.Density), m.Groups[i], m.Groups[j], Csv.Num(m.Difference[i, j]), Csv.Num(m.Low[i, j]),
                Csv.Num(m.High[i, j]), Csv.Num(m.PHolm[i, j]), m.Significant[i, j] ? "true" : "false",
            ]));

    private static double[,] Nan(int n)
    {
        var a = new double[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) a[i, j] = double.NaN;
        return a;
    }
}
