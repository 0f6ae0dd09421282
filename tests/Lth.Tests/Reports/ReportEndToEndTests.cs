using System.Text.RegularExpressions;
using Lth.Experiments;
using Lth.Reports;
using Lth.Tests.Experiments;

namespace Lth.Tests.Reports;

/// <summary>A small real study: 2 schemes × 3 seeds × levels 0..2, plus random-prune controls of one scheme, 2 epochs per level.</summary>
public sealed class SmallStudy : IDisposable
{
    public TempDir Dir { get; } = new();
    public string Runs => Path.Combine(Dir, "runs");
    public const int Seeds = 3, Levels = 2;
    public static readonly string[] Schemes = ["kaiming-normal", "xavier-uniform"];

    public SmallStudy()
    {
        using var data = TinyData.Create();
        var store = new RunStore(Runs);
        foreach (var scheme in Schemes)
            for (int s = 1; s <= Seeds; s++)
            {
                var hp = LotteryRunnerTests.Tiny(scheme) with { Training = LotteryRunnerTests.Tiny().Training with { Steps = "2ep" } };
                new LotteryRunner(store, hp, data).Run(s, Levels);
                if (scheme == Schemes[0]) new LotteryRunner(store, hp with { Control = Control.RandomPrune }, data).Run(s, Levels);
            }
    }

    public void Dispose() => Dir.Dispose();
}

public class ReportEndToEndTests(SmallStudy study) : IClassFixture<SmallStudy>
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public void WritesEveryTableFigureAndAPageThatFitsAPhone()
    {
        var outDir = Path.Combine(study.Dir, "report-lib");
        var report = StudyReport.Build(study.Runs);
        var files = report.Write(outDir);
        Assert.All(files, f => Assert.True(File.Exists(f), f));
        Assert.Equal(3, report.Study.Groups.Count);
        Assert.Equal(["kaiming-normal", "xavier-uniform", "kaiming-normal [random-prune]"], report.Study.Groups.Select(g => g.Name));

        // results.csv: one row per run × level, the promised columns.
        var lines = File.ReadAllLines(Path.Combine(outDir, StudyReport.ResultsCsv));
        int runs = SmallStudy.Seeds * 3;
        Assert.Equal(1 + runs * (SmallStudy.Levels + 1), lines.Length);
        using var reader = new CsvHelper.CsvReader(new StreamReader(Path.Combine(outDir, StudyReport.ResultsCsv)), System.Globalization.CultureInfo.InvariantCulture);
        var records = new List<string[]>();
        while (reader.Read()) records.Add(Enumerable.Range(0, reader.Parser.Count).Select(i => reader.GetField(i)!).ToArray());
        var header = records[0];
        foreach (var col in new[] { "run", "group", "model", "dataset", "init", "control", "seed", "level", "density", "density_fc1.weight",
                     "density_fc2.weight", "density_fc3.weight", "early_stop_iteration", "test_accuracy_at_early_stop", "final_test_accuracy",
                     "val_loss_at_early_stop", "diverged" })
            Assert.Contains(col, header);
        Assert.All(records.Skip(1), r => Assert.Equal(header.Length, r.Length));
        Assert.Equal("lenet:32,16", records[1][Array.IndexOf(header, "model")]);

        // summary.csv: groups × levels × 3 metrics; comparisons: 3 pairs per level.
        Assert.Equal(1 + 3 * 3 * 3, File.ReadAllLines(Path.Combine(outDir, StudyReport.SummaryCsv)).Length);
        Assert.Equal(1 + 3 * 3, File.ReadAllLines(Path.Combine(outDir, StudyReport.ComparisonsCsv)).Length);
        Assert.All(report.Comparisons, c => Assert.True(c.Paired));   // same seeds, same data order
        Assert.Equal(3, report.Verdicts.Count);
        Assert.Equal(3, report.Criterion.Count);
        Assert.All(report.Criterion, c => Assert.Equal(2, c.Levels.Count));
        Assert.Contains("Verdict", File.ReadAllText(Path.Combine(outDir, StudyReport.VerdictMd)));
        Assert.Equal(1 + 3, File.ReadAllLines(Path.Combine(outDir, StudyReport.CriterionCsv)).Length);
        Assert.True(File.Exists(Path.Combine(outDir, StudyReport.VerdictCsv)));

        // Mask overlap at level 2: a group with itself at the same seed is 1; random-prune sits near the random expectation.
        var o = report.Overlap!;
        Assert.Equal(2, o.Level);
        Assert.Equal(9, o.Labels.Count);
        for (int i = 0; i < 9; i++) Assert.Equal(1, o.Jaccard[i, i]);
        var rp = o.Pairs.Single(p => p.A == "kaiming-normal" && p.B == "kaiming-normal [random-prune]");
        Assert.InRange(rp.Mean, o.RandomExpected - 0.1, o.RandomExpected + 0.1);

        // Winners: counts add up to all prunable weights × seeds.
        var w = report.Survivors.Single(s => s.Group == "kaiming-normal");
        Assert.Equal(SmallStudy.Seeds * (32 * 16 + 16 * 32 + 4 * 16), w.Survivors.Sum() + w.Pruned.Sum());

        // Figures: PNG and SVG of each. Pairwise heat maps exist for every level; the page shows the dense level's and the landmarks'.
        Assert.Empty(report.Failed);
        Assert.NotEmpty(report.Headline.Landmarks);
        var figs = Directory.GetFiles(Path.Combine(outDir, StudyReport.FiguresDir));
        var names = new[] { "accuracy_vs_density", "difference_from_baseline", "pairwise_level_0", "pairwise_level_1", "pairwise_level_2",
            "early_stop_vs_density", "final_accuracy_vs_density", "winners_init_distribution", "mask_overlap",
            "seeds_kaiming-normal", "seeds_xavier-uniform", "seeds_kaiming-normal_random-prune" };
        var hidden = Enumerable.Range(1, SmallStudy.Levels).Where(l => report.Headline.Landmarks.All(m => m.Level != l)).Select(l => $"pairwise_level_{l}").ToList();
        var shown = names.Except(hidden).ToArray();
        foreach (var n in names)
        {
            var png = File.ReadAllBytes(Path.Combine(outDir, StudyReport.FiguresDir, n + ".png"));
            Assert.Equal(PngSignature, png[..8]);
            Assert.True(png.Length > 10_000, $"{n}.png: {png.Length} bytes");
            var svg = File.ReadAllText(Path.Combine(outDir, StudyReport.FiguresDir, n + ".svg"));
            Assert.Contains("<svg", svg);
            Assert.True(svg.Length > 5_000, $"{n}.svg: {svg.Length} chars");
        }
        Assert.Equal(2 * names.Length, figs.Length);
        Assert.Equal("kaiming-normal", report.Baseline);   // no xavier-normal: the first trained group by name

        // The page: self-contained, and in a 390 px wide Chromium every image decodes, every table is there, nothing overflows.
        var htmlPath = Path.Combine(outDir, StudyReport.HtmlFile);
        var html = File.ReadAllText(htmlPath);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
        Assert.DoesNotContain("<link", html);
        Assert.DoesNotContain("src=\"figures", html);
        foreach (var n in shown) Assert.Contains($"<figure id=\"fig-{n}\">", html);
        foreach (var n in hidden) Assert.DoesNotContain($"<figure id=\"fig-{n}\">", html);
        Assert.True(html.IndexOf("id=\"headline\"", StringComparison.Ordinal) < html.IndexOf("id=\"verdict\"", StringComparison.Ordinal));
        Assert.True(html.IndexOf("id=\"figures\"", StringComparison.Ordinal) < html.IndexOf("id=\"details\"", StringComparison.Ordinal));
        int tables = Regex.Matches(html, "<table>").Count;
        Assert.True(tables >= 7, $"{tables} tables");
        var phone = Chromium.PhoneFrame(htmlPath, study.Dir);
        foreach (var (url, width) in new[] { (phone, "390"), (new Uri(htmlPath).AbsoluteUri, "500") })   // 500: headless Chromium's narrowest window
        {
            var dom = Chromium.Run(url, "--dump-dom");
            var check = Regex.Match(dom, "<div id=\"layout-check\"[^>]*>");
            Assert.True(check.Success, "the page's layout check did not run:\n" + dom[..Math.Min(dom.Length, 500)]);
            string Attr(string name) => Regex.Match(check.Value, name + "=\"([^\"]*)\"").Groups[1].Value;
            Assert.Equal(width, Attr("data-viewport-width"));
            Assert.True(Attr("data-overflow") == "0", $"page overflows horizontally at {width} px: scroll width {Attr("data-scroll-width")}");
            Assert.Equal(shown.Length.ToString(), Attr("data-images"));
            Assert.Equal(shown.Length.ToString(), Attr("data-images-total"));
            Assert.Equal(shown.Length.ToString(), Attr("data-figures"));
            Assert.Equal(tables.ToString(), Attr("data-tables"));
        }

        var shot = Path.Combine(outDir, "screenshot.png");
        Chromium.Run(phone, "--screenshot=" + shot, width: 500, height: 2400);
        var bytes = File.ReadAllBytes(shot);
        Assert.Equal(PngSignature, bytes[..8]);
        if (Environment.GetEnvironmentVariable("LTH_KEEP_REPORT") is { Length: > 0 } keep)
        {
            Directory.CreateDirectory(keep);
            foreach (var f in Directory.GetFiles(outDir, "*", SearchOption.AllDirectories))
            {
                var dest = Path.Combine(keep, Path.GetRelativePath(outDir, f));
                Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
                File.Copy(f, dest, true);
            }
        }
    }

    [Fact]
    public void TheCommandLineWritesTheReportAndPrintsMarkdown()
    {
        var outDir = Path.Combine(study.Dir, "report-cli");
        var r = CliRunner.Run(study.Dir, "report", study.Runs, "--out", outDir, "--format", "md");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("## Verdict", r.Stdout);
        Assert.StartsWith("# lth report", r.Stdout);
        Assert.True(r.Stdout.IndexOf("**Question.**", StringComparison.Ordinal) < r.Stdout.IndexOf("## Verdict", StringComparison.Ordinal));
        Assert.Contains("| group | level |", r.Stdout);
        Assert.Contains("kaiming-normal \\[random-prune\\]", r.Stdout);
        Assert.True(File.Exists(Path.Combine(outDir, StudyReport.HtmlFile)));

        // Deterministic: a second report has the same statistics, bootstrap included.
        var again = Path.Combine(study.Dir, "report-cli-2");
        var text = CliRunner.Run(study.Dir, "report", study.Runs, "--out", again, "--margin", "2", "--baseline", "xavier-uniform");
        Assert.True(text.ExitCode == 0, text.Stderr);
        Assert.StartsWith("Question:", text.Stdout);   // the terminal summary opens with the question and the headline table
        Assert.Contains("matches dense (margin 2 pp) down to", text.Stdout);
        Assert.Contains("Verdict", text.Stdout);
        Assert.Contains("Difference from xavier-uniform", File.ReadAllText(Path.Combine(again, StudyReport.HtmlFile)));
        Assert.Contains(",0.02,", File.ReadAllLines(Path.Combine(again, StudyReport.CriterionCsv))[1]);
        var bad = CliRunner.Run(study.Dir, "report", study.Runs, "--out", again, "--baseline", "no-such-group");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--baseline", bad.Stderr);
        Assert.Equal(File.ReadAllText(Path.Combine(outDir, StudyReport.SummaryCsv)), File.ReadAllText(Path.Combine(again, StudyReport.SummaryCsv)));
        Assert.Equal(File.ReadAllText(Path.Combine(outDir, StudyReport.ComparisonsCsv)), File.ReadAllText(Path.Combine(again, StudyReport.ComparisonsCsv)));
    }

    [Fact]
    public void MissingOrEmptyRootsExitThreeNamingThem()
    {
        using var dir = new TempDir();
        var missing = CliRunner.Run(dir, "report", "no-such-runs", "--out", "rep");
        Assert.Equal(3, missing.ExitCode);
        Assert.Contains("no-such-runs", missing.Stderr);
        Assert.Single(missing.Stderr.Trim().Split('\n'));
        Directory.CreateDirectory(Path.Combine(dir, "empty"));
        var empty = CliRunner.Run(dir, "report", "empty");
        Assert.Equal(3, empty.ExitCode);
        Assert.Contains("empty", empty.Stderr);
        Assert.Contains("no finished levels", empty.Stderr);
        Assert.Equal(2, CliRunner.Run(dir, "report", "empty", "--level-min-n", "1").ExitCode);
        Assert.Equal(2, CliRunner.Run(dir, "report", "empty", "--format", "pdf").ExitCode);
        Assert.Equal(2, CliRunner.Run(dir, "report", "empty", "--margin", "0").ExitCode);
    }
}
