using System.Globalization;

namespace Lth.Reports;

/// <summary>
/// Which figures a report has, in the order <c>report.html</c> shows them: accuracy vs density of the trained groups
/// (y axis fitted to them), differences from the baseline, the pairwise heat maps of the dense level and the
/// landmarks (every other level's is written but not embedded), then accuracy of all groups, early stopping, final
/// accuracy, every seed of each group, winners at initialization (one panel per group) and mask overlap.
/// </summary>
public static class ReportFigureSet
{
    /// <summary>The smallest colour scale of the heat maps (a quarter of a percentage point).</summary>
    public const double MinScale = 0.0025;

    private const string Bands = "One line per group (mean over seeds) with its 95% t confidence band; controls dashed. x: % of weights remaining, log scale, dense on the left. A black ✕ marks a level where a pruned layer kept no weight (layer collapse) in at least one seed.";

    /// <summary>Writes the figures (PNG and SVG each) into <paramref name="dir"/>.</summary>
    public static List<ReportFigure> Write(StudyReport r, string dir)
    {
        var study = r.Study;
        var figs = new List<ReportFigure>();
        bool anyFailed = r.Failed.Count > 0;
        string failedNote = anyFailed ? $" Groups that failed to train ({string.Join(", ", r.Failed.Select(f => f.Group))}) are left out; the next figure shows all groups." : "";
        figs.Add(ReportFigures.Save(ReportFigures.MetricVsDensity(study, r.Summary, Metric.TestAccuracy, "Test accuracy at early stop: groups that trained", r.Trained),
            dir, "accuracy_vs_density", "Test accuracy at early stop vs weights remaining", Bands + failedNote));
        if (r.Strategies is { } sp)
        {
            var (w, h) = sp.Size();
            figs.Add(ReportFigures.Save(sp.Figure(), dir, "strategies_by_init", "Pruning strategies per init scheme",
                "One panel per init scheme (shared y axis): test accuracy at early stop of each strategy (mean over seeds, 95% t band; the same colour in every panel; IMP thick), " +
                "against % of weights remaining (log scale). The pruning-at-initialization strategies prune the fresh init to each density of IMP's schedule and train from it. " +
                "A black ✕ marks a point where a pruned layer kept no weight in at least one seed (layer collapse).", w, h));
        }
        if (r.Instability is { } ins)
        {
            if (ins.Starts.Count > 1)
            {
                var multi = ins.VersusRewind(study, out int w, out int h);
                figs.Add(ReportFigures.Save(multi, dir, "instability_vs_rewind", "Instability vs rewind iteration",
                    "Linear mode connectivity: the test-error barrier between two copies trained from iteration k with different data orders (mean over seeds, 95% t band), " +
                    "one panel per measured level, one line per scheme. Dotted: the 2 pp threshold below which a level counts as stable.", w, h));
            }
            figs.Add(ReportFigures.Save(ins.VersusDensity(study), dir, "instability_vs_density", "Instability vs weights remaining",
                "The test-error barrier per group and level (mean over seeds, 95% t band); dotted: the 2 pp stability threshold."));
            figs.Add(ReportFigures.Save(ins.AlongThePath(study), dir, "instability_path", "Test error along the path",
                "Test error on the straight line between a level's run (α = 0) and its second copy (α = 1), for the lowest seed of each scheme at the earliest (solid) and latest (dashed) rewind point, at the sparsest measured level."));
        }
        if (r.BaselinePoints.Count > 0)
            figs.Add(ReportFigures.Save(DifferenceFigures.FromBaseline(study, r.BaselinePoints, r.Baseline), dir, "difference_from_baseline",
                $"Difference from {r.Baseline}",
                $"Each trained group's mean test accuracy minus {r.Baseline}'s (--baseline), in percentage points, with the 95% CI of the difference as a band " +
                "(paired by seed: the mean and t interval of the per-seed differences). A band clear of the dotted zero line (the baseline) is a difference the seeds support at that level, before correction for the many levels and pairs."));
        var sizes = r.Matrices.SelectMany(Cells).Order().ToList();
        double limit = Math.Max(sizes.Count == 0 ? 0 : 2 * sizes[sizes.Count / 2], MinScale);   // twice the median |Δ|: one failed-looking group does not wash out the rest
        var shown = new HashSet<int>(r.Headline.Landmarks.Select(l => l.Level).Append(0));
        foreach (var m in r.Matrices)
        {
            var (w, h) = DifferenceFigures.HeatmapSize(m.Groups.Count);
            var f = ReportFigures.Save(DifferenceFigures.Heatmap(m, limit), dir, $"pairwise_level_{m.Level.ToString(CultureInfo.InvariantCulture)}",
                $"Pairwise differences at level {m.Level} ({Verdict.Pct(m.Density)} of weights)",
                "Mean difference in test accuracy, row group minus column group, in percentage points, among the groups that trained (paired by seed). " +
                $"Framed cells with an asterisk: Holm-adjusted p < {Comparisons.Alpha.ToString(CultureInfo.InvariantCulture)} over all pairs of the level (pairwise.csv).",
                width: w, height: h);
            figs.Add(f with { Embedded = shown.Contains(m.Level) });
        }
        if (anyFailed)
            figs.Add(ReportFigures.Save(ReportFigures.MetricVsDensity(study, r.Summary, Metric.TestAccuracy, "Test accuracy at early stop: all groups"),
                dir, "accuracy_vs_density_all", "Test accuracy at early stop vs weights remaining, all groups", Bands + " Includes the groups that failed to train."));
        figs.Add(ReportFigures.Save(ReportFigures.MetricVsDensity(study, r.Summary, Metric.EarlyStopIteration, "Early-stop iteration"),
            dir, "early_stop_vs_density", "Early-stop iteration vs weights remaining", Bands + " Lower is faster learning."));
        figs.Add(ReportFigures.Save(ReportFigures.MetricVsDensity(study, r.Summary, Metric.FinalTestAccuracy, "Final test accuracy", r.Trained),
            dir, "final_accuracy_vs_density", "Final test accuracy vs weights remaining", Bands + failedNote.Replace(" the next figure shows all groups.", " see summary.csv.")));
        foreach (var g in study.Groups)
            figs.Add(ReportFigures.Save(ReportFigures.Spaghetti(study, g, Metric.TestAccuracy), dir, "seeds_" + ReportFigures.Slug(g.Name),
                $"Every seed of {g.Name}", "Test accuracy at early stop of each seed (thin lines, labelled at their last level) and the mean over seeds (black): outlier seeds stay visible.",
                height: 460));
        if (r.Survivors.Count > 0)
        {
            var (w, h) = WinnerPanels.Size(r.Survivors.Count);
            figs.Add(ReportFigures.Save(WinnerPanels.Build(study, r.Survivors), dir, "winners_init_distribution", "Where the winners sat at initialization",
                $"One panel per group, shared axes: histogram of z = w₀/σ over all prunable weights, summed over seeds, at the group's deepest level ({string.Join("; ", r.Survivors.Select(s => $"{s.Group}: level {s.Level}, {Verdict.Pct(s.Density)}, {s.Seeds} seeds"))}): " +
                "survivors (solid, the group's colour) vs pruned (grey, dotted), each normalized to sum 1. Survivors drawn from the tails mean magnitude pruning prefers weights that started large.",
                w, h));
        }
        if (r.Overlap is { } o)
        {
            int size = Math.Clamp(260 + 38 * o.Labels.Count, 500, 1400);
            figs.Add(ReportFigures.Save(ReportFigures.Overlap(o), dir, "mask_overlap", $"Mask overlap at level {o.Level}",
                $"Jaccard similarity of the surviving weights (all prunable weights) between every pair of masks (group × seed) at the deepest level all groups reached. " +
                $"Two independent random masks of this density would overlap ≈ {o.RandomExpected.ToString("0.000", CultureInfo.InvariantCulture)}.",
                width: size + 260, height: size));
        }
        return figs;
    }

    private static IEnumerable<double> Cells(PairwiseMatrix m)
    {
        foreach (var d in m.Difference) if (!double.IsNaN(d)) yield return Math.Abs(d);
    }
}
