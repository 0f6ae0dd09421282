using System.CommandLine;
using Lth.Data;
using Lth.Native;
using Lth.Reports;

namespace Lth.Cli.Commands;

/// <summary>
/// <c>lth report RUNS_ROOT --out DIR</c>: tables (CSV), figures (PNG + SVG) and one self-contained
/// <c>report.html</c> from finished and partly finished runs. It prints the headline (question, budget, one row per
/// group) and the verdict among the groups that trained; <c>--format md</c> prints the markdown report instead.
/// </summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var root = new Argument<string>("RUNS_ROOT") { Description = "folder holding lottery_<hash> runs (searched recursively)" };
        var output = new Option<string>("--out") { Description = "folder for results.csv, summary.csv, comparisons.csv, figures/ and report.html", DefaultValueFactory = _ => "report" };
        var format = new Option<string>("--format") { Description = "what to print: text (headline table and verdict) or md (the markdown report)", DefaultValueFactory = _ => "text" };
        var minN = new Option<int>("--level-min-n") { Description = "a group enters a level's statistics only with at least this many usable runs there (>= 2)", DefaultValueFactory = _ => 2 };
        var margin = new Option<double>("--margin")
        {
            Description = "equivalence margin in percentage points: a level matches dense when the 95% CI of its paired difference from dense lies above -PP",
            DefaultValueFactory = _ => LotteryCriterion.DefaultMargin * 100,
        };
        var baseline = new Option<string?>("--baseline") { Description = "group the difference figure compares against (default: xavier-normal if present, else the first trained group by name)" };
        var cmd = new Command("report", "turn runs into tables, figures, a verdict and report.html") { root, output, format, minN, margin, baseline };
        cmd.SetAction(r => Cli.Guard(() =>
        {
            string fmt = r.GetValue(format)!.ToLowerInvariant();
            if (fmt is not ("text" or "md")) throw new HparamsException($"--format: '{r.GetValue(format)}' is not text or md");
            TorchRuntime.Initialize(TorchRuntime.DefaultThreads);
            var options = new ReportOptions(r.GetValue(minN), r.GetValue(margin) / 100, r.GetValue(baseline), ClassesOf);
            var report = StudyReport.Build(r.GetValue(root)!, options);
            foreach (var w in report.Study.Warnings) Console.Error.WriteLine("lth: warning: " + w);
            string outDir = r.GetValue(output)!;
            var files = report.Write(outDir);
            Console.Write(fmt == "md" ? report.ToMarkdown() : report.ToText());
            Console.Error.WriteLine($"wrote {files.Count} files to {outDir} (open {Path.Combine(outDir, StudyReport.HtmlFile)})");
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    /// <summary>Classes of a dataset lth knows, for chance accuracy; null for an unknown name.</summary>
    private static int? ClassesOf(string dataset) =>
        DatasetSources.All.TryGetValue(dataset.Trim().ToLowerInvariant(), out var s) ? s.Classes : null;
}
