using System.Globalization;
using System.Net;
using System.Text;

namespace Lth.Reports;

/// <summary>
/// <c>report.html</c>: one self-contained page (figures as base64 PNG, CSS inline, no network), readable on a phone:
/// responsive text, images at most the screen's width, tables scrolling sideways inside their own box. A small
/// inline script adds, on load, <c>&lt;div id="layout-check" data-overflow data-images data-tables data-figures&gt;</c>
/// (horizontal overflow of the page, images that decoded, tables, figures) so a headless browser can verify the layout.
/// </summary>
public static class HtmlReport
{
    public static string Render(StudyReport r, IReadOnlyList<ReportFigure> figures)
    {
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        h.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        h.Append("<title>lth report</title>\n<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n<main>\n");
        h.Append("<h1>Lottery-ticket report</h1>\n");
        h.Append($"<p class=\"meta\">Runs: <code>{E(r.Study.Root)}</code> · {r.Study.Groups.Count} groups · " +
                 $"{r.Study.Rows.Select(x => (x.Hash, x.Seed)).Distinct().Count()} runs · {r.Study.Rows.Count} finished levels</p>\n");

        HeadlineSection(h, r);
        VerdictSection(h, r);
        StrategySection(h, r);
        InstabilitySection(h, r);
        FigureSection(h, figures);
        StudySection(h, r);
        TableSection(h, r);
        DetailSection(h, r, figures);
        h.Append("<script>\n").Append(LayoutScript).Append("</script>\n</body>\n</html>\n");
        return h.ToString();
    }

    private static void HeadlineSection(StringBuilder h, StudyReport r)
    {
        var hd = r.Headline;
        h.Append("<section id=\"headline\">\n<h2>Question and answer</h2>\n");
        h.Append("<p><b>Question.</b> ").Append(E(hd.Question)).Append("</p>\n");
        h.Append("<p><b>Metric.</b> Test accuracy at the early-stopping iteration, mean over seeds (%).</p>\n");
        h.Append("<p><b>Budget.</b> ").Append(E(hd.Budget)).Append("</p>\n");
        Table(h, HeadlineTable.Header(hd), HeadlineTable.Rows(hd), "No groups.");
        if (HeadlineTable.FailedLine(hd) is { } failed) h.Append("<p class=\"failed\">").Append(E(failed)).Append("</p>\n");
        h.Append("<ul class=\"rules\">\n");
        foreach (var rule in hd.Rules) h.Append("<li>").Append(E(rule)).Append("</li>\n");
        h.Append("</ul>\n</section>\n");
    }

    private static void VerdictSection(StringBuilder h, StudyReport r)
    {
        h.Append("<section id=\"verdict\">\n<h2>Verdict</h2>\n<p>Pairs of trained groups that differ significantly (t tests, Holm p &lt; 0.05 within a level), the most consistent first; the heat maps below show every pair at the dense level and the landmarks:</p>\n<ul>\n");
        if (!r.VerdictSummary.Lines.Any()) h.Append("<li>No level has two trained groups with enough runs to compare.</li>\n");
        foreach (var line in r.VerdictSummary.Lines) h.Append("<li>").Append(E(line)).Append("</li>\n");
        h.Append("</ul>\n");
        if (r.Notes.Count > 0)
        {
            h.Append("<h3>How far the data go</h3>\n<ul>\n");
            foreach (var n in r.Notes) h.Append("<li>").Append(E(n)).Append("</li>\n");
            h.Append("</ul>\n");
        }
        h.Append("</section>\n");
    }

    private static void StrategySection(StringBuilder h, StudyReport r)
    {
        if (r.Strategies is not { } sp) return;
        h.Append("<section id=\"strategies\">\n<h2>Does the ranking of strategies change with the init scheme?</h2>\n<ul>\n");
        foreach (var line in sp.Answer()) h.Append("<li>").Append(E(line)).Append("</li>\n");
        h.Append("</ul>\n");
        foreach (var lm in sp.Landmarks)
        {
            h.Append($"<h3>At {E(Pct(lm.Density))} of weights (level {I(lm.Level)}): test accuracy at early stop, mean % (rank within the row)</h3>\n");
            var (header, rows) = sp.Table(lm.Level);
            Table(h, header, rows);
        }
        if (sp.Points.Any(p => p.Collapsed > 0)) h.Append("<p>† a pruned layer kept no weight (collapsed) in at least one seed: that network is disconnected. The figure marks these points with ✕.</p>\n");
        h.Append("</section>\n");
    }

    private static void InstabilitySection(StringBuilder h, StudyReport r)
    {
        if (r.Instability is not { } ins) return;
        h.Append("<section id=\"instability\">\n<h2>Instability (linear mode connectivity)</h2>\n<ul>\n");
        foreach (var line in ins.Answer()) h.Append("<li>").Append(E(line)).Append("</li>\n");
        h.Append("</ul>\n<h3>Stable vs matching dense, per group and level (instability_summary.csv)</h3>\n");
        var (header, rows) = ins.Table();
        Table(h, header, rows);
        h.Append("</section>\n");
    }

    private static void FigureSection(StringBuilder h, IReadOnlyList<ReportFigure> figures)
    {
        h.Append("<section id=\"figures\">\n<h2>Figures</h2>\n");
        foreach (var f in figures.Where(f => f.Embedded))
        {
            var b64 = Convert.ToBase64String(File.ReadAllBytes(f.PngPath));
            h.Append($"<figure id=\"fig-{E(f.Name)}\">\n<img alt=\"{E(f.Title)}\" src=\"data:image/png;base64,{b64}\">\n");
            h.Append($"<figcaption><b>{E(f.Title)}.</b> {E(f.Caption)} <span class=\"files\">({E(Path.GetFileName(f.PngPath))}, {E(Path.GetFileName(f.SvgPath))})</span></figcaption>\n</figure>\n");
        }
        h.Append("</section>\n");
    }

    private static void StudySection(StringBuilder h, StudyReport r)
    {
        h.Append("<section id=\"study\">\n<h2>The study</h2>\n<h3>What varies</h3>\n");
        Table(h, ["hparam", "values"], r.Study.Varying.Select(f =>
            (IReadOnlyList<string>)[f.Flag, string.Join(", ", r.Study.Rows.Select(x => f.Format(f.Get(x.Hparams))).Distinct())]).ToList(),
            "Nothing varies but the seed.");
        h.Append("<h3>Groups</h3>\n");
        Table(h, ["group", "runs (seeds)", "levels finished", "diverged levels"], r.Study.Groups.Select(g =>
        {
            var rows = r.Study.Of(g.Name).ToList();
            return (IReadOnlyList<string>)[g.Name, rows.Select(x => x.Seed).Distinct().Count().ToString(CultureInfo.InvariantCulture),
                rows.Count.ToString(CultureInfo.InvariantCulture), rows.Count(x => x.Summary.Diverged).ToString(CultureInfo.InvariantCulture)];
        }).ToList());
        h.Append("<h3>Common hparams</h3>\n");
        Table(h, ["hparam", "value", "meaning"], r.Study.Common.Select(c => (IReadOnlyList<string>)[$"{c.Field.Section}.{c.Field.Flag}", c.Value, c.Field.Description]).ToList());
        h.Append("</section>\n");
    }

    private static void TableSection(StringBuilder h, StudyReport r)
    {
        h.Append("<section id=\"tables\">\n<h2>Tables</h2>\n");
        h.Append("<h3>Test accuracy at early stop, per group and level (summary.csv)</h3>\n");
        Table(h, ["group", "level", "% weights", "n", "mean", "std", "95% CI (t)", "95% CI (bootstrap)", "median", "min", "max", "early-stop it (mean)"],
            r.Summary.Where(s => s.Metric == Metric.TestAccuracy.Name).Select(s =>
            {
                var es = r.Summary.First(x => x.Group == s.Group && x.Level == s.Level && x.Metric == Metric.EarlyStopIteration.Name);
                return (IReadOnlyList<string>)[s.Group, I(s.Level), Pct(s.Density), I(s.N) + (s.Diverged > 0 ? $" (+{s.Diverged} diverged)" : ""),
                    A(s.Mean), A(s.Std), Ci(s.CiLow, s.CiHigh), Ci(s.BootLow, s.BootHigh), A(s.Median), A(s.Min), A(s.Max), F(es.Mean, "0")];
            }).ToList());
        h.Append($"<h3>Lottery-ticket criterion per group, margin {E(Headline.Pp(r.Options.Margin))} (criterion.csv)</h3>\n");
        Table(h, ["group", "outcome", "dense mean", "ticket level", "% weights", "mean [95% CI]", "Δ vs dense [95% CI]", "test", "p (non-inferiority)", "speed-up"],
            r.Criterion.Select(c => (IReadOnlyList<string>)[c.Group, LotteryCriterion.Word(c.Outcome), A(c.DenseMean), c.Ticket is { } t ? I(t.Level) : "",
                c.Ticket is { } t1 ? Pct(t1.Density) : "", c.Ticket is { } t2 ? $"{A(t2.Mean)} {Ci(t2.CiLow, t2.CiHigh)}" : "",
                c.Ticket is { } t3 ? $"{Verdict.Pp(t3.DifferenceFromDense.Difference)} [{Verdict.Pp(t3.DifferenceFromDense.Low)}, {Verdict.Pp(t3.DifferenceFromDense.High)}]" : "",
                c.Ticket?.Test.Test ?? "", c.Ticket is { } t4 ? Verdict.P(t4.Test.P) : "", c.Ticket is { } t5 ? F(t5.SpeedUp, "0.00") + "×" : ""]).ToList(),
            "No group has enough runs at level 0.");
        h.Append("<h3>Pairwise comparisons (comparisons.csv)</h3>\n");
        Table(h, ["level", "% weights", "A", "B", "n", "mean A", "mean B", "Δ = A − B [95% CI]", "test", "p", "Holm p", "rank test", "rank p", "rank Holm p", "outcome"],
            r.Comparisons.Select(c => (IReadOnlyList<string>)[I(c.Level), Pct(c.Density), c.A, c.B, c.Paired ? $"{c.NPairs} pairs" : $"{c.NA} / {c.NB}",
                A(c.MeanA), A(c.MeanB), $"{Verdict.Pp(c.Difference.Difference)} [{Verdict.Pp(c.Difference.Low)}, {Verdict.Pp(c.Difference.High)}]",
                c.Test.Test, Verdict.P(c.Test.P), Verdict.P(c.PHolm), c.RankTest.Test + $" ({c.RankTest.Method})", Verdict.P(c.RankTest.P), Verdict.P(c.RankPHolm),
                c.Outcome()]).ToList(),
            "No level has two groups with enough runs.");
        h.Append("<h3>Verdict table (verdict.csv)</h3>\n");
        Table(h, ["level", "% weights", "group", "better than", "worse than", "no detectable difference with"],
            r.Verdicts.SelectMany(v => v.Groups).Select(g => (IReadOnlyList<string>)[I(g.Level), Pct(g.Density), g.Group,
                string.Join("; ", g.BetterThan), string.Join("; ", g.WorseThan), string.Join("; ", g.NoDifference)]).ToList(),
            "No comparisons.");
        if (r.Overlap is { } o)
        {
            h.Append($"<h3>Mask overlap at level {o.Level} (mask_overlap.csv)</h3>\n");
            Table(h, ["group A", "group B", "compared", "pairs", "mean Jaccard", "random masks"],
                o.Pairs.Select(p => (IReadOnlyList<string>)[p.A, p.B, p.Kind, I(p.Pairs), F(p.Mean, "0.000"), F(o.RandomExpected, "0.000")]).ToList());
        }
        h.Append("</section>\n");
    }

    private static void DetailSection(StringBuilder h, StudyReport r, IReadOnlyList<ReportFigure> figures)
    {
        h.Append("<section id=\"details\">\n<h2>Details</h2>\n<h3>Lottery tickets, group by group</h3>\n<ul>\n");
        foreach (var c in r.Criterion) h.Append("<li>").Append(E(LotteryCriterion.Describe(c))).Append("</li>\n");
        h.Append("</ul>\n<h3>Every group compared, level by level</h3>\n<ul>\n");
        if (r.Verdicts.Count == 0) h.Append("<li>No level has two groups with enough runs to compare.</li>\n");
        foreach (var v in r.Verdicts) h.Append("<li>").Append(E(v.Text)).Append("</li>\n");
        h.Append("</ul>\n");
        var rest = figures.Where(f => !f.Embedded).ToList();
        if (rest.Count > 0)
            h.Append("<p>Also written, not shown here: ").Append(E(string.Join(", ", rest.Select(f => Path.GetFileName(f.PngPath))))).Append(" (with SVGs) in figures/.</p>\n");
        h.Append("<h3>Methods</h3>\n<p>").Append(E(Methods(r.Options.Margin))).Append("</p>\n");
        h.Append("</section>\n</main>\n");
    }

    /// <summary>How the numbers were computed, in one paragraph (also in the markdown output).</summary>
    public static string Methods(double margin) =>
        "Accuracy is test accuracy at the early-stopping iteration (minimum validation loss); diverged levels are counted but left out of the statistics. " +
        "Confidence intervals of means are t-based (x̄ ± t₀.₉₇₅·s/√n) and percentile bootstrap (10,000 resamples, fixed seed). " +
        "Groups are compared at each level on test accuracy at early stop: paired by seed (paired t test, Wilcoxon signed-rank) when the groups share the data order of a seed, " +
        "otherwise Welch's t test and the Mann–Whitney U test (exact without ties, else normal approximation with tie and continuity correction). " +
        "The t test decides; its p-values are Holm-corrected across the comparisons of a level (α = 0.05), the rank test is a robustness check, Holm-corrected the same way. " +
        "Groups that failed to train stay in each level's Holm family (their tiny p-values come first and cost the other comparisons no power) but are reported once, not pair by pair. " +
        $"The lottery-ticket criterion is an equivalence (non-inferiority) test: a pruned level matches dense when the 95% t CI of the paired difference (level − the same seed's dense level) lies above −{Headline.Pp(margin)} " +
        $"(equivalently, the one-sided paired t test of Δ ≤ −{Headline.Pp(margin)} rejects at 0.025); it needs at least {LotteryCriterion.MinPairs} paired seeds. " +
        "The ticket is the sparsest matching level with no denser level shown below the margin; without a match the result is 'none' when a level is shown below the margin, otherwise 'undetermined'. " +
        "'No detectable difference' is not evidence of equality: read the confidence interval of the difference.";

    private const string Css = """
        *,*::before,*::after{box-sizing:border-box}
        html{-webkit-text-size-adjust:100%}
        body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;line-height:1.5;color:#1b1f24;background:#fff}
        main{max-width:1100px;margin:0 auto;padding:1rem}
        h1{font-size:1.6rem;margin:.2rem 0 .6rem}
        h2{font-size:1.3rem;border-bottom:2px solid #e4e7eb;padding-bottom:.2rem;margin-top:2rem}
        h3{font-size:1.05rem;margin-top:1.4rem}
        p,li,figcaption{overflow-wrap:anywhere}
        code{font-size:.9em;background:#f3f4f6;padding:0 .2em;border-radius:3px}
        .meta{color:#555}
        .table-wrap{overflow-x:auto;max-width:100%;-webkit-overflow-scrolling:touch;margin:.5rem 0 1rem;border:1px solid #e4e7eb;border-radius:4px}
        table{border-collapse:collapse;font-size:.85rem;font-variant-numeric:tabular-nums}
        th,td{padding:.3rem .6rem;border-bottom:1px solid #eceff2;text-align:left;white-space:nowrap;vertical-align:top}
        th{background:#f6f8fa;position:sticky;top:0}
        figure{margin:1rem 0 2rem}
        img{display:block;max-width:100%;height:auto;border:1px solid #eceff2}
        figcaption{font-size:.9rem;color:#333;margin-top:.4rem}
        .files{color:#777}
        .failed{color:#8a1c1c}
        .rules{font-size:.9rem;color:#444}
        @media (max-width:600px){main{padding:.6rem}h1{font-size:1.3rem}table{font-size:.78rem}}

        """;

    private const string LayoutScript = """
        window.addEventListener('load', function () {
          var imgs = document.images, loaded = 0;
          for (var i = 0; i < imgs.length; i++) if (imgs[i].complete && imgs[i].naturalWidth > 0) loaded++;
          var root = document.documentElement;
          var d = document.createElement('div');
          d.id = 'layout-check';
          d.hidden = true;
          d.setAttribute('data-overflow', root.scrollWidth <= window.innerWidth ? '0' : '1');
          d.setAttribute('data-scroll-width', String(root.scrollWidth));
          d.setAttribute('data-viewport-width', String(window.innerWidth));
          d.setAttribute('data-images', String(loaded));
          d.setAttribute('data-images-total', String(imgs.length));
          d.setAttribute('data-tables', String(document.querySelectorAll('table').length));
          d.setAttribute('data-figures', String(document.querySelectorAll('figure').length));
          document.body.appendChild(d);
        });

        """;

    private static void Table(StringBuilder h, IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows, string? empty = null)
    {
        if (rows.Count == 0 && empty is not null) { h.Append("<p>").Append(E(empty)).Append("</p>\n"); return; }
        h.Append("<div class=\"table-wrap\"><table>\n<thead><tr>");
        foreach (var c in header) h.Append("<th>").Append(E(c)).Append("</th>");
        h.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in rows)
        {
            h.Append("<tr>");
            foreach (var c in row) h.Append("<td>").Append(E(c)).Append("</td>");
            h.Append("</tr>\n");
        }
        h.Append("</tbody></table></div>\n");
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);
    private static string I(int x) => x.ToString(CultureInfo.InvariantCulture);
    private static string A(double x) => LotteryCriterion.Acc(x);
    private static string F(double x, string fmt) => double.IsNaN(x) ? "n/a" : x.ToString(fmt, CultureInfo.InvariantCulture);
    private static string Pct(double d) => Verdict.Pct(d);
    private static string Ci(double lo, double hi) => double.IsNaN(lo) ? "n/a" : $"[{A(lo)}, {A(hi)}]";
}
