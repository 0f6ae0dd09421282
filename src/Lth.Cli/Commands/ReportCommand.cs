using System.CommandLine;
using Lth.Native;
using Lth.Reports;

namespace Lth.Cli.Commands;

/// <summary>
/// <c>lth report RUNS_ROOT --out DIR</c>: tables (CSV), figures (PNG + SVG) and one self-contained
/// <c>report.html</c> from finished and partly finished runs; <c>--format md</c> prints the verdict and key tables.
/// </summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var root = new Argument<string>("RUNS_ROOT") { Description = "folder holding lottery_<hash> runs (searched recursively)" };
        var output = new Option<string>("--out") { Description = "folder for results.csv, summary.csv, comparisons.csv, figures/ and report.html", DefaultValueFactory = _ => "report" };
        var format = new Option<string>("--format") { Description = "what to print: text (the verdict and the files written) or md (verdict and key tables in markdown)", DefaultValueFactory = _ => "text" };
        var minN = new Option<int>("--level-min-n") { Description = "a group enters a level's statistics only with at least this many usable runs there (>= 2)", DefaultValueFactory = _ => 2 };
        var cmd = new Command("report", "turn runs into tables, figures, a verdict and report.html") { root, output, format, minN };
        cmd.SetAction(r => Cli.Guard(() =>
        {
            string fmt = r.GetValue(format)!.ToLowerInvariant();
            if (fmt is not ("text" or "md")) throw new HparamsException($"--format: '{r.GetValue(format)}' is not text or md");
            TorchRuntime.Initialize(TorchRuntime.DefaultThreads);
            var report = StudyReport.Build(r.GetValue(root)!, new ReportOptions(r.GetValue(minN)));
            string outDir = r.GetValue(output)!;
            var files = report.Write(outDir);
            if (fmt == "md") Console.Write(report.ToMarkdown());
            else
            {
                foreach (var c in report.Criterion) Console.WriteLine(LotteryCriterion.Describe(c));
                foreach (var v in report.Verdicts) Console.WriteLine(v.Text);
            }
            Console.Error.WriteLine($"wrote {files.Count} files to {outDir} (open {Path.Combine(outDir, StudyReport.HtmlFile)})");
            return ExitCodes.Ok;
        }));
        return cmd;
    }
}
