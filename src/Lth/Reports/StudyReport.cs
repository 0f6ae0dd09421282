using System.Globalization;

namespace Lth.Reports;

/// <summary>Options of <c>lth report</c>.</summary>
/// <param name="LevelMinN">A group enters the statistics of a level only with at least this many usable runs there (≥ 2).</param>
/// <param name="Margin">Equivalence margin of "matches dense", as a fraction of accuracy (0.01 = 1 percentage point).</param>
/// <param name="Baseline">The group differences are drawn from; null: <see cref="BaselineDifferences.Choose"/>.</param>
/// <param name="ClassesOf">Classes of a dataset by name, for chance accuracy; null or unknown: 10.</param>
public sealed record ReportOptions(int LevelMinN = 2, double Margin = LotteryCriterion.DefaultMargin, string? Baseline = null, Func<string, int?>? ClassesOf = null);

/// <summary>
/// Everything <c>lth report</c> computes from a runs root: the tidy results, per-group summaries, the groups that
/// failed to train, the headline (question, budget, one row per group), pairwise comparisons with their matrices and
/// verdict, the lottery-ticket criterion, differences from a baseline, mask overlap and where winners sat at
/// initialization. <see cref="Write"/> puts the tables (CSV), figures (PNG + SVG) and <c>report.html</c> in a folder;
/// <see cref="ToMarkdown"/> and <see cref="ToText"/> say the headline and verdict.
/// </summary>
public sealed class StudyReport
{
    public StudyResults Study { get; }
    public ReportOptions Options { get; }
    public IReadOnlyList<GroupLevelStats> Summary { get; }
    public IReadOnlyList<Comparison> Comparisons { get; }
    /// <summary>The level-by-level prose verdict of every group (the report's details).</summary>
    public IReadOnlyList<LevelVerdict> Verdicts { get; }
    public IReadOnlyList<CriterionResult> Criterion { get; }
    public MaskOverlapResult? Overlap { get; }
    public IReadOnlyList<SurvivorHistogram> Survivors { get; }
    /// <summary>Groups that failed to train (<see cref="TrainingFailures"/>).</summary>
    public IReadOnlyList<FailedGroup> Failed { get; }
    /// <summary>The other groups, in study order.</summary>
    public IReadOnlyList<string> Trained { get; }
    /// <summary>Chance accuracy (1 / classes).</summary>
    public double Chance { get; }
    public Headline Headline { get; }
    /// <summary>Per level, the mean paired differences among the trained groups and which are Holm-significant.</summary>
    public IReadOnlyList<PairwiseMatrix> Matrices { get; }
    /// <summary>The verdict the report opens with: significant pairs among trained groups, one line for the failed.</summary>
    public VerdictSummary VerdictSummary { get; }
    public string Baseline { get; }
    public IReadOnlyList<BaselinePoint> BaselinePoints { get; }
    /// <summary>Strategies side by side per init scheme, when the study varies <c>--strategy</c>; else null.</summary>
    public StrategyPanels? Strategies { get; }
    /// <summary>Linear mode connectivity, when the runs measured it (<c>--instability</c>); else null.</summary>
    public InstabilityReport? Instability { get; }
    /// <summary>Caveats: what the data cannot support (few seeds, partial runs, divergence).</summary>
    public IReadOnlyList<string> Notes { get; }

    private StudyReport(StudyResults study, ReportOptions options)
    {
        Study = study;
        Options = options;
        Summary = SummaryTable.Compute(study);
        Comparisons = Reports.Comparisons.Compute(study, options.LevelMinN);
        Verdicts = Verdict.Compute(Comparisons);
        Criterion = LotteryCriterion.Compute(study, options.LevelMinN, options.Margin);
        Overlap = MaskOverlap.Compute(study);
        Survivors = SurvivorHistograms.Compute(study);
        Failed = TrainingFailures.Find(study, options.ClassesOf);
        Trained = study.Groups.Select(g => g.Name).Where(g => Failed.All(f => f.Group != g)).ToList();
        Chance = TrainingFailures.Chance(study, options.ClassesOf);
        Headline = Headline.Compute(study, Comparisons, Criterion, Failed, Chance, options.Margin, options.LevelMinN);
        Matrices = PairwiseMatrices.Compute(Comparisons, Trained);
        VerdictSummary = VerdictSummary.Compute(Matrices, Comparisons, Trained, Failed);
        Baseline = BaselineDifferences.Choose(study, Trained, options.Baseline);
        BaselinePoints = BaselineDifferences.Compute(Comparisons, Baseline, Trained.Where(g => g != Baseline).ToList());
        Strategies = StrategyPanels.Compute(study, Summary, Comparisons, Headline.Landmarks);
        Instability = InstabilityReport.Compute(study, Criterion);
        Notes = BuildNotes();
    }

    /// <summary>Reads the runs below <paramref name="runsRoot"/> and computes the report (see <see cref="StudyResults.Load"/> for errors).</summary>
    /// <exception cref="HparamsException"><see cref="ReportOptions.LevelMinN"/> below 2, a margin outside (0, 1), or an unknown baseline.</exception>
    public static StudyReport Build(string runsRoot, ReportOptions? options = null)
    {
        options ??= new ReportOptions();
        if (options.LevelMinN < 2) throw new HparamsException($"--level-min-n: must be >= 2 (statistics need two runs per group), got {options.LevelMinN}");
        if (!(options.Margin > 0 && options.Margin < 1))
            throw new HparamsException($"--margin: must be above 0 and below 100 percentage points, got {(options.Margin * 100).ToString(CultureInfo.InvariantCulture)}");
        return new StudyReport(StudyResults.Load(runsRoot), options);
    }

    /// <summary>File names (inside the output folder) of the tables.</summary>
    public const string ResultsCsv = "results.csv", SummaryCsv = "summary.csv", ComparisonsCsv = "comparisons.csv", VerdictCsv = "verdict.csv",
        VerdictMd = "verdict.md", CriterionCsv = "criterion.csv", CriterionLevelsCsv = "criterion_levels.csv", OverlapCsv = "mask_overlap.csv",
        HeadlineCsv = "headline.csv", PairwiseCsv = "pairwise.csv", BaselineCsv = "baseline_differences.csv", StrategiesCsv = "strategies.csv", InstabilityCsv = "instability_summary.csv",
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
        HeadlineTable.WriteCsv(P(HeadlineCsv), Headline);
        PairwiseMatrices.Write(P(PairwiseCsv), Matrices);
        BaselineDifferences.Write(P(BaselineCsv), BaselinePoints);
        if (Overlap is not null) MaskOverlap.Write(P(OverlapCsv), Overlap);
        Strategies?.Write(P(StrategiesCsv));
        Instability?.Write(P(InstabilityCsv));

        var figures = WriteFigures(Path.Combine(outDir, FiguresDir));
        foreach (var f in figures) { files.Add(f.PngPath); files.Add(f.SvgPath); }
        AtomicFile.WriteText(P(HtmlFile), HtmlReport.Render(this, figures));
        return files;
    }

    /// <summary>Writes the figures (PNG and SVG each) into <paramref name="dir"/> (<see cref="ReportFigureSet"/>).</summary>
    public List<ReportFigure> WriteFigures(string dir) => ReportFigureSet.Write(this, dir);

    /// <summary>The headline, verdict, key tables and details, in markdown.</summary>
    public string ToMarkdown() => MarkdownReport.Render(this);

    /// <summary>What the terminal shows: the headline table and the verdict.</summary>
    public string ToText() =>
        HeadlineTable.ToText(Headline) + "\nVerdict (significant differences among the trained groups, t tests, Holm p < 0.05):\n" +
        string.Concat(VerdictSummary.Lines.Select(l => "- " + l + "\n")) +
        (Strategies is null ? "" : "\nDoes the ranking of strategies change with the init scheme?\n" + string.Concat(Strategies.Answer().Select(l => "- " + l + "\n"))) +
        (Instability is null ? "" : "\nInstability (linear mode connectivity; stable: test-error barrier below 2 pp):\n" + string.Concat(Instability.Answer().Select(l => "- " + l + "\n")));

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
        int collapsed = Study.Rows.Count(r => r.Summary.CollapsedLayers.Count > 0);
        if (collapsed > 0)
            notes.Add($"{collapsed} level(s) had a pruned layer with no weight left (layer collapse: the network is disconnected and trains to chance); they count in every statistic as the accuracy they reached, and the figures mark them.");
        if (diverged > 0) notes.Add($"{diverged} level(s) diverged (NaN/inf loss); they are counted in summary.csv and left out of every statistic.");
        var partial = Study.Groups.Where(g => Study.Of(g.Name).GroupBy(r => r.Seed).Select(x => x.Max(r => r.Level)).Distinct().Count() > 1).Select(g => g.Name).ToList();
        if (partial.Count > 0) notes.Add($"Runs of {string.Join(", ", partial)} reached different depths (partly finished or diverged): deeper levels rest on fewer seeds.");
        var skipped = Study.Rows.Where(r => r.Ok).GroupBy(r => (r.Group, r.Level)).Count(g => g.Count() < Options.LevelMinN);
        if (skipped > 0) notes.Add($"{skipped} group × level cell(s) have fewer than {Options.LevelMinN} usable runs (--level-min-n) and are left out of comparisons and the criterion.");
        if (Study.Warnings.Count > 0)
            notes.Add($"{Study.Warnings.Count} thing(s) found below the runs folder were left out (an unreadable summary, a duplicate copy of a run, a run whose hparams.json no longer matches its folder); lth report printed each one, and lth verify checks the whole store.");
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
}
