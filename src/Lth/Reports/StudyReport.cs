using System.Globalization;
using System.Text;

namespace Lth.Reports;

/// <summary>Options of <c>lth report</c>.</summary>
/// <param name="LevelMinN">A group enters the statistics of a level only with at least this many usable runs there (≥ 2).</param>
public sealed record ReportOptions(int LevelMinN = 2);

/// <summary>
/// Everything <c>lth report</c> computes from a runs root: the tidy results, per-group summaries, pairwise
/// comparisons and their verdict, the lottery-ticket criterion, mask overlap and where winners sat at
/// initialization. <see cref="Write"/> puts the tables (CSV), figures (PNG + SVG) and <c>report.html</c> in a folder;
/// <see cref="ToMarkdown"/> says the verdict and key tables in markdown.
/// </summary>
public sealed class StudyReport
{
    public StudyResults Study { get; }
    public ReportOptions Options { get; }
    public IReadOnlyList<GroupLevelStats> Summary { get; }
    public IReadOnlyList<Comparison> Comparisons { get; }
    public IReadOnlyList<LevelVerdict> Verdicts { get; }
    public IReadOnlyList<CriterionResult> Criterion { get; }
    public MaskOverlapResult? Overlap { get; }
    public IReadOnlyList<SurvivorHistogram> Survivors { get; }
    /// <summary>Caveats: what the data cannot support (few seeds, partial runs, divergence).</summary>
    public IReadOnlyList<string> Notes { get; }

    private StudyReport(StudyResults study, ReportOptions options)
    {
        Study = study;
        Options = options;
        Summary = SummaryTable.Compute(study);
        Comparisons = Reports.Comparisons.Compute(study, options.LevelMinN);
        Verdicts = Verdict.Compute(Comparisons);
        Criterion = LotteryCriterion.Compute(study, options.LevelMinN);
        Overlap = MaskOverlap.Compute(study);
        Survivors = SurvivorHistograms.Compute(study);
        Notes = BuildNotes();
    }

    /// <summary>Reads the runs below <paramref name="runsRoot"/> and computes the report (see <see cref="StudyResults.Load"/> for errors).</summary>
    /// <exception cref="ArgumentException"><see cref="ReportOptions.LevelMinN"/> below 2.</exception>
    public static StudyReport Build(string runsRoot, ReportOptions? options = null)
    {
        options ??= new ReportOptions();
        if (options.LevelMinN < 2) throw new HparamsException($"--level-min-n: must be >= 2 (statistics need two runs per group), got {options.LevelMinN}");
        return new StudyReport(StudyResults.Load(runsRoot), options);
    }

    /// <summary>File names (inside the output folder) of the tables.</summary>
    public const string ResultsCsv = "results.csv", SummaryCsv = "summary.csv", ComparisonsCsv = "comparisons.csv", VerdictCsv = "verdict.csv",
        VerdictMd = "verdict.md", CriterionCsv = "criterion.csv", CriterionLevelsCsv = "criterion_levels.csv", OverlapCsv = "mask_overlap.csv",
        HtmlFile = "report.html", FiguresDir = "figures";

    /// <summary>Writes every table, figure and the page into <paramref name="outDir"/>; returns the files written.</summary>
    public IReadOnlyList<string> Write(string outDir)
    {
        Directory.CreateDirectory(outDir);
        var files = new List<string>();
        string P(string name) { var p = Path.Combine(outDir, name); files.Add(p); return p; }
        Study.WriteCsv(P(ResultsCsv));
        SummaryTable.Write(P(SummaryCsv), Summary);
        Reports.Comparisons.Write(P(ComparisonsCsv), Comparisons);
        Verdict.Write(P(VerdictCsv), Verdicts);
        AtomicFile.WriteText(P(VerdictMd), ToMarkdown());
        LotteryCriterion.Write(P(CriterionCsv), P(CriterionLevelsCsv), Criterion);
        if (Overlap is not null) MaskOverlap.Write(P(OverlapCsv), Overlap);

        var figures = WriteFigures(Path.Combine(outDir, FiguresDir));
        foreach (var f in figures) { files.Add(f.PngPath); files.Add(f.SvgPath); }
        AtomicFile.WriteText(P(HtmlFile), HtmlReport.Render(this, figures));
        return files;
    }

    /// <summary>Writes the figures (PNG and SVG each) into <paramref name="dir"/>.</summary>
    public List<ReportFigure> WriteFigures(string dir)
    {
        var figs = new List<ReportFigure>();
        const string bands = "One line per group (mean over seeds) with its 95% t confidence band; controls dashed. x: % of weights remaining, log scale, dense on the left.";
        figs.Add(ReportFigures.Save(ReportFigures.MetricVsDensity(Study, Summary, Metric.TestAccuracy, "Test accuracy at early stop"),
            dir, "accuracy_vs_density", "Test accuracy at early stop vs weights remaining", bands));
        figs.Add(ReportFigures.Save(ReportFigures.MetricVsDensity(Study, Summary, Metric.EarlyStopIteration, "Early-stop iteration"),
            dir, "early_stop_vs_density", "Early-stop iteration vs weights remaining", bands + " Lower is faster learning."));
        figs.Add(ReportFigures.Save(ReportFigures.MetricVsDensity(Study, Summary, Metric.FinalTestAccuracy, "Final test accuracy"),
            dir, "final_accuracy_vs_density", "Final test accuracy vs weights remaining", bands));
        foreach (var g in Study.Groups)
            figs.Add(ReportFigures.Save(ReportFigures.Spaghetti(Study, g, Metric.TestAccuracy), dir, "seeds_" + ReportFigures.Slug(g.Name),
                $"Every seed of {g.Name}", "Test accuracy at early stop of each seed (thin lines, labelled at their last level) and the mean over seeds (black): outlier seeds stay visible.",
                height: 460));
        if (Survivors.Count > 0)
            figs.Add(ReportFigures.Save(ReportFigures.Survivors(Study, Survivors), dir, "winners_init_distribution", "Where the winners sat at initialization",
                $"Histogram of z = w₀/σ over all prunable weights, summed over seeds, at each group's deepest level ({string.Join("; ", Survivors.Select(h => $"{h.Group}: level {h.Level}, {Verdict.Pct(h.Density)}, {h.Seeds} seeds"))}): survivors (solid) vs pruned (dotted), each normalized to sum 1. " +
                "Survivors drawn from the tails mean magnitude pruning prefers weights that started large.", width: 1150));
        if (Overlap is { } o)
        {
            int size = Math.Clamp(260 + 38 * o.Labels.Count, 500, 1400);
            figs.Add(ReportFigures.Save(ReportFigures.Overlap(o), dir, "mask_overlap", $"Mask overlap at level {o.Level}",
                $"Jaccard similarity of the surviving weights (all prunable weights) between every pair of masks (group × seed) at the deepest level all groups reached. " +
                $"Two independent random masks of this density would overlap ≈ {o.RandomExpected.ToString("0.000", CultureInfo.InvariantCulture)}.",
                width: size + 260, height: size));
        }
        return figs;
    }

    /// <summary>The verdict, the criterion and the key accuracy table, in markdown.</summary>
    public string ToMarkdown()
    {
        var s = new StringBuilder();
        s.Append($"# lth report: {Study.Root}\n\n");
        s.Append($"{Study.Groups.Count} groups, {Study.Rows.Select(x => (x.Hash, x.Seed)).Distinct().Count()} runs, {Study.Rows.Count} finished levels. ");
        s.Append(Study.Varying.Count == 0 ? "Only the seed varies.\n\n" : $"Varying: {string.Join(", ", Study.Varying.Select(f => f.Flag))}.\n\n");
        s.Append("## Verdict\n\n### Lottery tickets\n\n");
        foreach (var c in Criterion) s.Append("- ").Append(Md(LotteryCriterion.Describe(c))).Append('\n');
        s.Append("\n### Groups compared, level by level\n\n");
        if (Verdicts.Count == 0) s.Append("- No level has two groups with enough runs to compare.\n");
        foreach (var v in Verdicts) s.Append("- ").Append(Md(v.Text)).Append('\n');
        if (Notes.Count > 0)
        {
            s.Append("\n### How far the data go\n\n");
            foreach (var n in Notes) s.Append("- ").Append(Md(n)).Append('\n');
        }
        s.Append("\n## Test accuracy at early stop\n\n| group | level | % weights | n | mean | 95% CI (t) | 95% CI (bootstrap) | early-stop it |\n|---|---:|---:|---:|---:|---|---|---:|\n");
        foreach (var x in Summary.Where(x => x.Metric == Metric.TestAccuracy.Name))
        {
            var es = Summary.First(y => y.Group == x.Group && y.Level == x.Level && y.Metric == Metric.EarlyStopIteration.Name);
            s.Append($"| {Md(x.Group)} | {x.Level} | {Verdict.Pct(x.Density)} | {x.N} | {LotteryCriterion.Acc(x.Mean)} | {Ci(x.CiLow, x.CiHigh)} | {Ci(x.BootLow, x.BootHigh)} | {(double.IsNaN(es.Mean) ? "n/a" : es.Mean.ToString("0", CultureInfo.InvariantCulture))} |\n");
        }
        s.Append("\n## Lottery-ticket criterion\n\n| group | dense | ticket level | % weights | mean | Δ vs dense [95% CI] | one-sided p | speed-up |\n|---|---:|---:|---:|---:|---|---:|---:|\n");
        foreach (var c in Criterion)
        {
            var t = c.Ticket;
            s.Append($"| {Md(c.Group)} | {LotteryCriterion.Acc(c.DenseMean)} | {(t is null ? "none" : t.Level.ToString(CultureInfo.InvariantCulture))} | " +
                     $"{(t is null ? "" : Verdict.Pct(t.Density))} | {(t is null ? "" : LotteryCriterion.Acc(t.Mean))} | " +
                     $"{(t is null ? "" : $"{Verdict.Pp(t.DifferenceFromDense.Difference)} [{Verdict.Pp(t.DifferenceFromDense.Low)}, {Verdict.Pp(t.DifferenceFromDense.High)}]")} | " +
                     $"{(t is null ? "" : Verdict.P(t.Test.P))} | {(t is null || double.IsNaN(t.SpeedUp) ? "" : t.SpeedUp.ToString("0.00", CultureInfo.InvariantCulture) + "×")} |\n");
        }
        if (Comparisons.Count > 0)
        {
            s.Append("\n## Pairwise comparisons\n\n| level | A | B | Δ = A − B [95% CI] | test | Holm p | rank test p | outcome |\n|---:|---|---|---|---|---:|---:|---|\n");
            foreach (var c in Comparisons)
                s.Append($"| {c.Level} | {Md(c.A)} | {Md(c.B)} | {Verdict.Pp(c.Difference.Difference)} [{Verdict.Pp(c.Difference.Low)}, {Verdict.Pp(c.Difference.High)}] | " +
                         $"{c.Test.Test} | {Verdict.P(c.PHolm)} | {Verdict.P(c.RankTest.P)} | {Md(c.Outcome())} |\n");
        }
        s.Append("\n").Append(Md(HtmlReport.Methods)).Append('\n');
        return s.ToString();
    }

    private List<string> BuildNotes()
    {
        var notes = new List<string>();
        var perGroupLevel = Study.Rows.Where(r => r.Ok).GroupBy(r => (r.Group, r.Level)).Select(g => g.Count()).ToList();
        int minN = perGroupLevel.DefaultIfEmpty(0).Min(), maxN = perGroupLevel.DefaultIfEmpty(0).Max();
        notes.Add(minN == maxN ? $"Every group has {minN} usable run(s) per level." : $"Groups have {minN} to {maxN} usable runs per level.");
        if (maxN < 3) notes.Add("Fewer than three seeds per group: the t tests have almost no power and the confidence intervals are wide; add seeds before drawing conclusions.");
        var powerless = Comparisons.Where(c => MinExactP(c) > Reports.Comparisons.Alpha).ToList();
        if (powerless.Count > 0)
            notes.Add($"In {powerless.Count} of {Comparisons.Count} comparison(s) the groups are so small that a rank test cannot reach p < {Reports.Comparisons.Alpha} at all " +
                      $"(smallest attainable exact p ≥ {powerless.Min(MinExactP).ToString("0.00", CultureInfo.InvariantCulture)}); rank tests are a robustness check there, the verdict rests on the t tests.");
        var disagree = Comparisons.Where(c => c.Direction() != 0 && !(c.RankPHolm < Reports.Comparisons.Alpha) && MinExactP(c) <= Reports.Comparisons.Alpha).ToList();
        if (disagree.Count > 0)
            notes.Add($"{disagree.Count} significant t-test result(s) are not confirmed by the rank test; an outlier seed may drive them (see the per-seed figures).");
        int diverged = Study.Rows.Count(r => r.Summary.Diverged);
        if (diverged > 0) notes.Add($"{diverged} level(s) diverged (NaN/inf loss); they are counted in summary.csv and left out of every statistic.");
        var partial = Study.Groups.Where(g => Study.Of(g.Name).GroupBy(r => r.Seed).Select(x => x.Max(r => r.Level)).Distinct().Count() > 1).Select(g => g.Name).ToList();
        if (partial.Count > 0) notes.Add($"Runs of {string.Join(", ", partial)} reached different depths (partly finished or diverged): deeper levels rest on fewer seeds.");
        var skipped = Study.Rows.Where(r => r.Ok).GroupBy(r => (r.Group, r.Level)).Count(g => g.Count() < Options.LevelMinN);
        if (skipped > 0) notes.Add($"{skipped} group × level cell(s) have fewer than {Options.LevelMinN} usable runs (--level-min-n) and are left out of comparisons and the criterion.");
        notes.Add("'No detectable difference' means the data cannot tell the groups apart, not that they are equal; the confidence intervals show how large a difference remains possible.");
        return notes;
    }

    /// <summary>The smallest two-sided p an exact rank test can give for this comparison's sizes.</summary>
    private static double MinExactP(Comparison c) =>
        c.Paired ? Math.Min(1, 2 / Math.Pow(2, c.NPairs)) : Math.Min(1, 2 / Binomial(c.NA + c.NB, c.NA));

    private static double Binomial(int n, int k)
    {
        double r = 1;
        for (int i = 1; i <= k; i++) r = r * (n - k + i) / i;
        return r;
    }

    private static string Ci(double lo, double hi) => double.IsNaN(lo) ? "n/a" : $"[{LotteryCriterion.Acc(lo)}, {LotteryCriterion.Acc(hi)}]";
    private static string Md(string s) => s.Replace("|", "\\|").Replace("[", "\\[").Replace("]", "\\]");
}
