namespace Lth.Reports;

/// <summary>
/// Rank tests, robust to outlier seeds.
/// <para><b>Mann–Whitney U</b> (two independent samples): U_a = R_a − n_a(n_a+1)/2 with R_a the sum of a's ranks in
/// the pooled sample (ties get their average rank). <i>Exact</i> when there are no ties and n_a + n_b ≤
/// <see cref="ExactLimit"/>: the null distribution of R_a is counted over all C(N, n_a) rank subsets.
/// Otherwise the <i>normal approximation</i> with tie correction and continuity correction (scipy's default):
/// μ = n_a n_b/2, σ² = n_a n_b/12 · ((N+1) − Σ(t³−t)/(N(N−1))), z = (U − μ ∓ ½)/σ.</para>
/// <para><b>Wilcoxon signed-rank</b> (paired): on dᵢ = aᵢ − bᵢ, zero differences dropped (Wilcoxon's convention),
/// |dᵢ| ranked with average ranks for ties; the statistic is W⁺, the sum of ranks of positive differences.
/// <i>Exact</i> when there are no ties and no zeros and n ≤ <see cref="ExactLimit"/> (all 2ⁿ sign patterns
/// counted); otherwise the normal approximation μ = n(n+1)/4, σ² = n(n+1)(2n+1)/24 − Σ(t³−t)/48, without
/// continuity correction (scipy's default).</para>
/// Exact two-sided p-values are min(1, 2·min(P(S ≤ s), P(S ≥ s))). "Less" means a tends to be smaller than b.
/// With three values per group the smallest exact two-sided p is 0.1 (Mann–Whitney) or 0.25 (Wilcoxon), so rank
/// tests cannot reach 5% significance there; the report says so.
/// </summary>
public static class RankTests
{
    public const int ExactLimit = 60;

    public static TestResult MannWhitneyU(IReadOnlyList<double> a, IReadOnlyList<double> b, Alternative alt = Alternative.TwoSided)
    {
        const string name = "Mann–Whitney U";
        int m = a.Count, n = b.Count;
        if (m < 1 || n < 1) return TestResult.NotRun(name, alt, $"needs values in both groups (n = {m}, {n})");
        var pooled = a.Concat(b).ToArray();
        var (ranks, tieTerm) = Rank(pooled);
        double ra = ranks.Take(m).Sum();
        double u = ra - m * (m + 1) / 2.0;
        int total = m + n;
        if (tieTerm == 0 && total <= ExactLimit)
        {
            // Distribution of the rank sum of m distinct ranks out of 1..N.
            var counts = SubsetSumCounts(total, m);
            int offset = m * (m + 1) / 2;
            var dist = counts.Skip(offset).Take(m * n + 1).ToArray();   // index = U
            return new TestResult(name, u, double.NaN, ExactP(dist, (int)Math.Round(u), alt), alt, "exact");
        }
        double mu = m * (double)n / 2;
        double sigma = Math.Sqrt(m * (double)n / 12 * ((total + 1) - tieTerm / (total * (total - 1.0))));
        double p = NormalP(u, mu, sigma, alt, continuity: 0.5);
        return new TestResult(name, u, double.NaN, p, alt, "normal approximation, tie and continuity corrected");
    }

    public static TestResult WilcoxonSignedRank(IReadOnlyList<double> a, IReadOnlyList<double> b, Alternative alt = Alternative.TwoSided)
    {
        const string name = "Wilcoxon signed-rank";
        if (a.Count != b.Count) throw new ArgumentException($"Wilcoxon signed-rank test needs equal lengths ({a.Count} vs {b.Count})");
        var d = a.Zip(b, (x, y) => x - y).ToList();
        int zeros = d.Count(x => x == 0);
        var nz = d.Where(x => x != 0).ToArray();
        int n = nz.Length;
        if (n == 0) return new TestResult(name, 0, double.NaN, d.Count == 0 ? double.NaN : 1, alt, "all differences zero");
        var (ranks, tieTerm) = Rank(nz.Select(Math.Abs).ToArray());
        double wPlus = 0;
        for (int i = 0; i < n; i++) if (nz[i] > 0) wPlus += ranks[i];
        if (tieTerm == 0 && zeros == 0 && n <= ExactLimit)
        {
            var dist = SubsetSumCountsAnySize(n);   // index = W⁺
            return new TestResult(name, wPlus, double.NaN, ExactP(dist, (int)Math.Round(wPlus), alt), alt, "exact");
        }
        double mu = n * (n + 1) / 4.0;
        double sigma = Math.Sqrt(n * (n + 1) * (2 * n + 1) / 24.0 - tieTerm / 48);
        string method = zeros > 0 ? $"normal approximation, tie corrected, {zeros} zero difference(s) dropped" : "normal approximation, tie corrected";
        return new TestResult(name, wPlus, double.NaN, NormalP(wPlus, mu, sigma, alt, continuity: 0), alt, method);
    }

    /// <summary>Average ranks (1-based) and the tie term Σ(t³ − t) over groups of t tied values.</summary>
    internal static (double[] Ranks, double TieTerm) Rank(double[] xs)
    {
        var order = Enumerable.Range(0, xs.Length).OrderBy(i => xs[i]).ToArray();
        var ranks = new double[xs.Length];
        double tie = 0;
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j + 1 < order.Length && xs[order[j + 1]] == xs[order[i]]) j++;
            double avg = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) ranks[order[k]] = avg;
            double t = j - i + 1;
            tie += t * t * t - t;
            i = j + 1;
        }
        return (ranks, tie);
    }

    /// <summary>counts[s] = number of <paramref name="size"/>-subsets of {1..N} with sum s.</summary>
    private static double[] SubsetSumCounts(int total, int size)
    {
        int maxSum = total * (total + 1) / 2;
        var dp = new double[size + 1, maxSum + 1];
        dp[0, 0] = 1;
        for (int k = 1; k <= total; k++)
            for (int j = Math.Min(k, size); j >= 1; j--)
                for (int s = maxSum; s >= k; s--)
                    dp[j, s] += dp[j - 1, s - k];
        var counts = new double[maxSum + 1];
        for (int s = 0; s <= maxSum; s++) counts[s] = dp[size, s];
        return counts;
    }

    /// <summary>counts[s] = number of subsets (any size) of {1..n} with sum s.</summary>
    private static double[] SubsetSumCountsAnySize(int n)
    {
        int maxSum = n * (n + 1) / 2;
        var dp = new double[maxSum + 1];
        dp[0] = 1;
        for (int k = 1; k <= n; k++)
            for (int s = maxSum; s >= k; s--)
                dp[s] += dp[s - k];
        return dp;
    }

    private static double ExactP(double[] dist, int s, Alternative alt)
    {
        double total = dist.Sum();
        double le = 0, ge = 0;
        for (int i = 0; i < dist.Length; i++)
        {
            if (i <= s) le += dist[i];
            if (i >= s) ge += dist[i];
        }
        le /= total; ge /= total;
        return alt switch
        {
            Alternative.Less => le,
            Alternative.Greater => ge,
            _ => Math.Min(1, 2 * Math.Min(le, ge)),
        };
    }

    private static double NormalP(double s, double mu, double sigma, Alternative alt, double continuity)
    {
        if (!(sigma > 0)) return 1;
        return alt switch
        {
            Alternative.Greater => SpecialFunctions.NormalSf((s - mu - continuity) / sigma),
            Alternative.Less => SpecialFunctions.NormalCdf((s - mu + continuity) / sigma),
            _ => Math.Min(1, 2 * SpecialFunctions.NormalSf((Math.Abs(s - mu) - continuity) / sigma)),
        };
    }
}
