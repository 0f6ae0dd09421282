using System.Globalization;
using System.Text;

namespace Lth.Reports;

/// <summary>
/// <c>verdict.md</c> and <c>lth report --format md</c>: the headline (question, budget, one table), the verdict among
/// trained groups, caveats, the key tables, and at the end the details (each group's criterion and the
/// level-by-level prose).
/// </summary>
public static class MarkdownReport
{
    public static string Render(StudyReport r)
    {
        var s = new StringBuilder();
        s.Append($"# lth report: {r.Study.Root}\n\n");
        s.Append($"{r.Study.Groups.Count} groups, {r.Study.Rows.Select(x => (x.Hash, x.Seed)).Distinct().Count()} runs, {r.Study.Rows.Count} finished levels. ");
        s.Append(r.Study.Varying.Count == 0 ? "Only the seed varies.\n\n" : $"Varying: {string.Join(", ", r.Study.Varying.Select(f => f.Flag))}.\n\n");
        s.Append(HeadlineTable.ToMarkdown(r.Headline));
        s.Append("\n## Verdict\n\nPairs of trained groups that differ significantly (t tests, Holm p < 0.05 within a level), the most consistent first:\n\n");
        if (!r.VerdictSummary.Lines.Any()) s.Append("- No level has two trained groups with enough runs to compare.\n");
        foreach (var line in r.VerdictSummary.Lines) s.Append("- ").Append(Md(line)).Append('\n');
        if (r.Strategies is { } sp)
        {
            s.Append("\n## Does the ranking of strategies change with the init scheme?\n\n");
            foreach (var line in sp.Answer()) s.Append("- ").Append(Md(line)).Append('\n');
            s.Append(sp.ToMarkdown());
        }
        if (r.Instability is { } ins)
        {
            s.Append("\n## Instability (linear mode connectivity)\n\n");
            foreach (var line in ins.Answer()) s.Append("- ").Append(Md(line)).Append('\n');
            s.Append('\n').Append(ins.ToMarkdown());
        }
        if (r.Notes.Count > 0)
        {
            s.Append("\n### How far the data go\n\n");
            foreach (var n in r.Notes) s.Append("- ").Append(Md(n)).Append('\n');
        }
        s.Append("\n## Test accuracy at early stop\n\n| group | level | % weights | n | mean | 95% CI (t) | 95% CI (bootstrap) | early-stop it |\n|---|---:|---:|---:|---:|---|---|---:|\n");
        foreach (var x in r.Summary.Where(x => x.Metric == Metric.TestAccuracy.Name))
        {
            var es = r.Summary.First(y => y.Group == x.Group && y.Level == x.Level && y.Metric == Metric.EarlyStopIteration.Name);
            s.Append($"| {Md(x.Group)} | {x.Level} | {Verdict.Pct(x.Density)} | {x.N} | {A(x.Mean)} | {Ci(x.CiLow, x.CiHigh)} | {Ci(x.BootLow, x.BootHigh)} | {(double.IsNaN(es.Mean) ? "n/a" : es.Mean.ToString("0", CultureInfo.InvariantCulture))} |\n");
        }
        s.Append($"\n## Lottery-ticket criterion (margin {Headline.Pp(r.Options.Margin)})\n\n| group | outcome | dense | ticket level | % weights | mean | Δ vs dense [95% CI] | p (non-inferiority) | speed-up |\n|---|---|---:|---:|---:|---:|---|---:|---:|\n");
        foreach (var c in r.Criterion)
        {
            var t = c.Ticket;
            s.Append($"| {Md(c.Group)} | {LotteryCriterion.Word(c.Outcome)} | {A(c.DenseMean)} | {(t is null ? "" : t.Level.ToString(CultureInfo.InvariantCulture))} | " +
                     $"{(t is null ? "" : Verdict.Pct(t.Density))} | {(t is null ? "" : A(t.Mean))} | " +
                     $"{(t is null ? "" : $"{Verdict.Pp(t.DifferenceFromDense.Difference)} [{Verdict.Pp(t.DifferenceFromDense.Low)}, {Verdict.Pp(t.DifferenceFromDense.High)}]")} | " +
                     $"{(t is null ? "" : Verdict.P(t.Test.P))} | {(t is null || double.IsNaN(t.SpeedUp) ? "" : t.SpeedUp.ToString("0.00", CultureInfo.InvariantCulture) + "×")} |\n");
        }
        if (r.Comparisons.Count > 0)
        {
            s.Append("\n## Pairwise comparisons\n\n| level | A | B | Δ = A − B [95% CI] | test | Holm p | rank test p | outcome |\n|---:|---|---|---|---|---:|---:|---|\n");
            foreach (var c in r.Comparisons)
                s.Append($"| {c.Level} | {Md(c.A)} | {Md(c.B)} | {Verdict.Pp(c.Difference.Difference)} [{Verdict.Pp(c.Difference.Low)}, {Verdict.Pp(c.Difference.High)}] | " +
                         $"{c.Test.Test} | {Verdict.P(c.PHolm)} | {Verdict.P(c.RankTest.P)} | {Md(c.Outcome())} |\n");
        }
        s.Append("\n## Details\n\n### Lottery tickets, group by group\n\n");
        foreach (var c in r.Criterion) s.Append("- ").Append(Md(LotteryCriterion.Describe(c))).Append('\n');
        s.Append("\n### Every group compared, level by level\n\n");
        if (r.Verdicts.Count == 0) s.Append("- No level has two groups with enough runs to compare.\n");
        foreach (var v in r.Verdicts) s.Append("- ").Append(Md(v.Text)).Append('\n');
        s.Append("\n### Methods\n\n").Append(Md(HtmlReport.Methods(r.Options.Margin))).Append('\n');
        return s.ToString();
    }

    private static string A(double a) => LotteryCriterion.Acc(a);
    private static string Ci(double lo, double hi) => double.IsNaN(lo) ? "n/a" : $"[{A(lo)}, {A(hi)}]";
    private static string Md(string s) => HeadlineTable.Md(s);
}
