using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Lth.Tests.Cli;

/// <summary>Every progress line of a sweep names the run whose result it prints, cohorts included.</summary>
public class SweepProgressTests
{
    [Theory]
    [InlineData("2")]   // worker processes: "[n/N] init=X seed S level L: …, test acc A"
    [InlineData("1")]   // in process: "init=X seed S level L: …, test acc A, final …"
    public void EachPrintedLabelMatchesTheStoredResultOfThatRun(string jobs)
    {
        using var dir = new TempDir();
        var r = CliRunner.Run(dir, "sweep", "--study", "synthetic-study", "--threads", "1", "--jobs", jobs);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var root = Path.Combine(dir, "runs");
        // Stored test accuracy by (init, seed, level), read from the run folders themselves.
        var stored = new Dictionary<(string, long, int), double>();
        foreach (var file in Directory.GetFiles(root, RunStore.SummaryFile, SearchOption.AllDirectories))
        {
            var s = JsonDocument.Parse(File.ReadAllText(file)).RootElement;
            Assert.Equal(2, s.GetProperty("cohort_size").GetInt32());   // the two schemes of a seed trained as one cohort
            stored[(s.GetProperty("init").GetString()!, s.GetProperty("seed").GetInt64(), s.GetProperty("level").GetInt32())] =
                s.GetProperty("test_accuracy_at_early_stop").GetDouble();
        }
        var line = new Regex(@"init=(\S+) seed (\d+) level (\d+): .*?test acc (\d\.\d{4})");
        var printed = r.Stdout.Split('\n').Select(l => line.Match(l)).Where(m => m.Success).ToList();
        Assert.Equal(stored.Count, printed.Count);   // 2 schemes × 2 seeds × 3 levels, each printed once
        foreach (var m in printed)
        {
            var key = (m.Groups[1].Value, long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture));
            Assert.True(stored.ContainsKey(key), $"printed a run that was not stored: {m.Value}");
            Assert.Equal(stored[key].ToString("0.0000", CultureInfo.InvariantCulture), m.Groups[4].Value);
        }
        Assert.Equal(stored.Count, printed.Select(m => (m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value)).Distinct().Count());
    }
}
