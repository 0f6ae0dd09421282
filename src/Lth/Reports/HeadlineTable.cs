using System.Globalization;
using System.Text;

namespace Lth.Reports;

/// <summary>The headline as cells (for HTML and markdown) and as plain text for the terminal.</summary>
public static class HeadlineTable
{
    /// <summary>Column titles: group, dense, one per landmark, sparsest matching level, rank, behind.</summary>
    public static IReadOnlyList<string> Header(Headline h) =>
    [
        "group", "dense, % [95% CI]", .. h.Landmarks.Select(l => $"@ {Verdict.Pct(l.Density)}"),
        $"matches dense (margin {Headline.Pp(h.Margin)}) down to", $"rank @ {Verdict.Pct(h.RankDensity)}", "behind (Holm)",
    ];

    /// <summary>One row of cells per group; accuracies in percent.</summary>
    public static List<IReadOnlyList<string>> Rows(Headline h) => h.Rows.Select(r => (IReadOnlyList<string>)
    [
        r.Group,
        double.IsNaN(r.Dense.Mean) ? "n/a" : double.IsNaN(r.Dense.Low) ? Pc(r.Dense.Mean) : $"{Pc(r.Dense.Mean)} [{Pc(r.Dense.Low)}, {Pc(r.Dense.High)}]",
        .. r.AtLandmarks.Select(m => m is null ? "—" : Pc(m.Mean)),
        r.Failed is not null ? "—" : r.Criterion is null ? "undetermined" : LotteryCriterion.Short(r.Criterion),
        r.Failed is not null ? "failed" : r.Rank is int k ? k.ToString(CultureInfo.InvariantCulture) : "n/a",
        r.Behind.Count == 0 ? "—" : r.Behind.Count >= 3 && r.Behind.Count == h.Rows.Count(x => x.Failed is null) - 1 ? "all other trained groups" : string.Join(", ", r.Behind),
    ]).ToList();

    /// <summary>The failed groups in one sentence, or null when every group trained.</summary>
    public static string? FailedLine(Headline h) => h.Failed.Count == 0 ? null
        : $"Failed to train (listed once, not compared again): {string.Join("; ", h.Failed.Select(f => $"{f.Group} ({f.Reason})"))}.";

    /// <summary>Question, budget, the table in fixed-width columns, failed groups and rules: the terminal's summary.</summary>
    public static string ToText(Headline h)
    {
        var s = new StringBuilder();
        s.Append("Question: ").Append(h.Question).Append('\n');
        s.Append("Metric: test accuracy at the early-stopping iteration, mean over seeds (%).\n");
        s.Append("Budget: ").Append(h.Budget).Append("\n\n");
        var header = Header(h);
        var rows = Rows(h);
        var width = header.Select((c, i) => Math.Max(c.Length, rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max())).ToList();
        void Line(IReadOnlyList<string> cells) =>
            s.Append(string.Join("  ", cells.Select((c, i) => i == 0 ? c.PadRight(width[i]) : c.PadLeft(width[i]))).TrimEnd()).Append('\n');
        Line(header);
        s.Append(string.Join("  ", width.Select(w => new string('-', w)))).Append('\n');
        foreach (var r in rows) Line(r);
        s.Append('\n');
        if (FailedLine(h) is { } f) s.Append(f).Append('\n');
        foreach (var rule in h.Rules) s.Append("- ").Append(rule).Append('\n');
        return s.ToString();
    }

    /// <summary>Question, budget, table, failed groups and rules in markdown (the opening of <c>verdict.md</c>).</summary>
    public static string ToMarkdown(Headline h)
    {
        var s = new StringBuilder();
        s.Append("**Question.** ").Append(Md(h.Question)).Append("\n\n");
        s.Append("**Metric.** Test accuracy at the early-stopping iteration, mean over seeds (%).\n\n");
        s.Append("**Budget.** ").Append(Md(h.Budget)).Append("\n\n");
        var header = Header(h);
        s.Append("| ").Append(string.Join(" | ", header.Select(Md))).Append(" |\n|");
        s.Append(string.Join("|", header.Select((_, i) => i == 0 ? "---" : "---:"))).Append("|\n");
        foreach (var r in Rows(h)) s.Append("| ").Append(string.Join(" | ", r.Select(Md))).Append(" |\n");
        s.Append('\n');
        if (FailedLine(h) is { } f) s.Append(Md(f)).Append("\n\n");
        foreach (var rule in h.Rules) s.Append("- ").Append(Md(rule)).Append('\n');
        return s.ToString();
    }

    public static readonly string[] CsvHeader =
        ["group", "failed", "failed_reason", "dense_n", "dense_mean", "dense_ci95_low", "dense_ci95_high", "landmark_levels", "landmark_densities", "landmark_means",
         "criterion_outcome", "ticket_level", "ticket_density", "rank_level", "rank", "behind"];

    /// <summary>Writes <c>headline.csv</c>: one row per group (landmark columns hold ';'-separated values, one per landmark).</summary>
    public static void WriteCsv(string path, Headline h) =>
        Csv.Write(path, CsvHeader, h.Rows.Select(r => (IReadOnlyList<string>)
        [
            r.Group, r.Failed is null ? "false" : "true", r.Failed?.Reason ?? "", Csv.Num(r.Dense.N), Csv.Num(r.Dense.Mean), Csv.Num(r.Dense.Low), Csv.Num(r.Dense.High),
            string.Join(";", h.Landmarks.Select(l => Csv.Num(l.Level))), string.Join(";", h.Landmarks.Select(l => Csv.Num(l.Density))),
            string.Join(";", r.AtLandmarks.Select(m => Csv.Num(m?.Mean))), r.Criterion is null ? "undetermined" : LotteryCriterion.Word(r.Criterion.Outcome),
            Csv.Num(r.Criterion?.Ticket?.Level), Csv.Num(r.Criterion?.Ticket?.Density), Csv.Num(h.RankLevel), Csv.Num(r.Rank), string.Join("; ", r.Behind),
        ]));

    internal static string Pc(double a) => double.IsNaN(a) ? "n/a" : (a * 100).ToString("0.00", CultureInfo.InvariantCulture);
    internal static string Md(string s) => s.Replace("|", "\\|").Replace("[", "\\[").Replace("]", "\\]");
}
