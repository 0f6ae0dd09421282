using System.Text.RegularExpressions;
using Lth.Reports;

namespace Lth.Tests.Reports;

/// <summary>
/// Strategies per init scheme: synthetic studies where the answer is known. Under xavier-normal the strategies rank
/// magnitude &gt; snip &gt; random, 5 pp apart with tiny seed noise; under kaiming-normal the order is either the same
/// or reversed. The report must find the reversal (or its absence), say "undetermined" with two seeds, and mark a
/// collapsed layer in the table, the CSV and the figure's data.
/// </summary>
public class StrategyPanelsTests
{
    private static readonly string[] Order = ["magnitude", "snip", "random"];

    private static void Write(string root, bool reversed, int seeds, bool collapse = false)
    {
        foreach (var init in new[] { "xavier-normal", "kaiming-normal" })
            for (int k = 0; k < Order.Length; k++)
            {
                int rank = init == "kaiming-normal" && reversed ? Order.Length - 1 - k : k;
                double Acc(int s, int l) => l == 0 ? 0.9 + 0.001 * s : 0.9 - 0.05 * rank - 0.005 * l + 0.001 * s + 0.0004 * Math.Sin(3.1 * s + 1.7 * l + k);
                var acc = Enumerable.Range(0, seeds).Select(s => Enumerable.Range(0, 9).Select(l => Acc(s, l)).ToArray()).ToArray();
                FakeStudy.Write(root, init, acc, strategy: Order[k],
                    collapsed: collapse && init == "xavier-normal" && Order[k] == "snip" ? (s, l) => s == 0 && l == 8 : null);
            }
    }

    [Fact]
    public void AReversedOrderUnderOneSchemeIsFoundAndCollapseIsMarked()
    {
        using var dir = new TempDir();
        Write(dir, reversed: true, seeds: 4, collapse: true);
        var r = StudyReport.Build(dir);
        var sp = Assert.IsType<StrategyPanels>(r.Strategies);
        Assert.Equal(["kaiming-normal", "xavier-normal"], sp.Panels);
        Assert.Equal(Order, sp.Strategies);
        Assert.Equal(["magnitude", "snip", "random"], sp.Order("xavier-normal", 3).Select(p => p.Strategy));
        Assert.Equal(["random", "snip", "magnitude"], sp.Order("kaiming-normal", 3).Select(p => p.Strategy));

        // magnitude vs random flips at both landmarks (10 pp, significant in both panels); so do the two adjacent pairs.
        Assert.Equal([3, 7], sp.Landmarks.Select(l => l.Level));
        var flips = sp.Reversals.Where(x => x.Landmark.Level == 3).Select(x => string.Join(",", new[] { x.First, x.Second }.Order())).Order().ToList();
        Assert.Equal(["magnitude,random", "magnitude,snip", "random,snip"], flips);
        var answer = sp.Answer();
        Assert.Contains(answer, l => l.StartsWith("At 51.2% (level 3): 2 different orders") && l.Contains("magnitude (IMP) leads for xavier-normal") && l.Contains("random leads for kaiming-normal"));
        Assert.Contains(answer, l => Regex.IsMatch(l, @"^Ranking changes at 51\.2%: .*(magnitude \(IMP\)|random) beats"));
        Assert.DoesNotContain(answer, l => l.Contains("undetermined"));

        // Collapse: one seed of xavier-normal snip at level 8, in the points, the table (†), the notes and strategies.csv.
        var p8 = sp.At("xavier-normal", "snip", 8)!;
        Assert.Equal((1, 4), (p8.Collapsed, p8.Runs));
        Assert.All(sp.Points.Where(p => p != p8), p => Assert.Equal(0, p.Collapsed));
        Assert.Contains(r.Notes, n => n.StartsWith("1 level(s) had a pruned layer with no weight left"));
        var (header, rows) = sp.Table(8);
        Assert.Equal(["init", "magnitude (IMP)", "snip", "random"], header);
        Assert.EndsWith(" (2) †", rows.Single(x => x[0] == "xavier-normal")[2]);
        Assert.DoesNotContain(rows.SelectMany(x => x), c => c.EndsWith("†") && !c.Contains("(2)"));

        using var outDir = new TempDir();
        r.Write(outDir);
        Assert.True(File.Exists(Path.Combine(outDir, StudyReport.FiguresDir, "strategies_by_init.png")));
        var csv = File.ReadAllLines(Path.Combine(outDir, StudyReport.StrategiesCsv));
        Assert.Equal("panel,strategy,group,level,density,n,mean,ci_low,ci_high,rank,collapsed_runs,runs", csv[0]);
        Assert.Equal(2 * 3 * 9 + 1, csv.Length);
        Assert.Single(csv, l => l.StartsWith("xavier-normal,snip,") && l.EndsWith(",1,4"));
        Assert.Contains("Does the ranking of strategies change with the init scheme?", File.ReadAllText(Path.Combine(outDir, StudyReport.HtmlFile)));
        Assert.Contains("| xavier-normal |", r.ToMarkdown());
    }

    [Fact]
    public void TheSameOrderEverywhereIsSaidSoAndTwoSeedsAreUndetermined()
    {
        using (var dir = new TempDir())
        {
            Write(dir, reversed: false, seeds: 4);
            var sp = StudyReport.Build(dir).Strategies!;
            Assert.Empty(sp.Reversals);
            var answer = sp.Answer();
            Assert.Contains("At 51.2% (level 3): the same order of means in all 2 panels: magnitude (IMP) > snip > random.", answer);
            Assert.Contains(answer, l => l.StartsWith("No change of order is supported by the seeds"));
        }
        using (var dir = new TempDir())
        {
            Write(dir, reversed: true, seeds: 2);
            var sp = StudyReport.Build(dir).Strategies!;
            Assert.Contains(sp.Answer(), l => l.StartsWith("Whether the ranking changes with the init scheme is undetermined: some strategy has only 2 usable seed(s)"));
            Assert.DoesNotContain(sp.Answer(), l => l.StartsWith("Ranking changes"));
        }
    }

    [Fact]
    public void AStudyThatDoesNotVaryTheStrategyHasNoPanels()
    {
        using var dir = new TempDir();
        HeadlineTests.Write(dir, seeds: 3);
        var r = StudyReport.Build(dir);
        Assert.Null(r.Strategies);
        Assert.DoesNotContain("ranking of strategies", r.ToText());
    }
}
