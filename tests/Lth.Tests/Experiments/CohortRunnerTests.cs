using Lth.Experiments;

namespace Lth.Tests.Experiments;

public class CohortRunnerTests
{
    private static readonly string[] Schemes = ["kaiming-normal", "xavier-uniform", "xavier-normal:gain=0.5"];

    private static LotteryHparams With(string init) => LotteryRunnerTests.Tiny(init);

    private static Dictionary<string, byte[]> Files(string root) =>
        Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".safetensors") || f.EndsWith("metrics.csv") || f.EndsWith("winners.json"))
            .ToDictionary(f => Path.GetRelativePath(root, f), File.ReadAllBytes);

    [Fact]
    public void ACohortStoresEachMemberExactlyAsItsSoloRun()
    {
        using var data = TinyData.Create();
        using var solo = new TempDir();
        using var cohort = new TempDir();
        foreach (var s in Schemes) new LotteryRunner(new RunStore(solo), With(s), data).Run(4, 2);
        var results = new LotteryRunner(new RunStore(cohort), Schemes.Select(With).ToList(), data).RunCohort(4, 2);
        Assert.All(results, r => Assert.Equal(3, r.Count));
        Assert.All(results.SelectMany(r => r), s => Assert.Equal(3, s.CohortSize));

        var a = Files(solo); var b = Files(cohort);
        Assert.Equal(3 * (1 + 3 * 4), a.Count);                   // init + 3 levels × (mask, final, metrics, winners)
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (k, v) in a) Assert.True(v.AsSpan().SequenceEqual(b[k]), $"{k} differs between solo and cohort");
    }

    [Fact]
    public void ACohortResumesWhereEachMemberStopped()
    {
        using var data = TinyData.Create();
        using var reference = new TempDir();
        using var mixed = new TempDir();
        new LotteryRunner(new RunStore(reference), Schemes.Select(With).ToList(), data).RunCohort(4, 3);
        // One member already ran two levels alone, another one level; the cohort finishes all three.
        new LotteryRunner(new RunStore(mixed), With(Schemes[0]), data).Run(4, 1);
        new LotteryRunner(new RunStore(mixed), With(Schemes[2]), data).Run(4, 0);
        new LotteryRunner(new RunStore(mixed), Schemes.Select(With).ToList(), data).RunCohort(4, 3);
        var a = Files(reference); var b = Files(mixed);
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (k, v) in a) Assert.True(v.AsSpan().SequenceEqual(b[k]), $"{k} differs");
    }

    [Fact]
    public void OnSparseLevelsACohortStillEqualsSoloRunsAndResumesBitwise()
    {
        // Rate 0.6: hidden layers at 40%, 16%, 6.4%, 2.6% of weights at levels 1–4, so the sparse layers
        // (forward from level 1, gradients from level 2) and Adam over survivors (from level 3) all run.
        static LotteryHparams Sparse(string init) => With(init) with { Pruning = new() { Rate = 0.6, RateOutput = 0.6, PruneBiases = true } };
        using var data = TinyData.Create();
        using var solo = new TempDir();
        using var cohort = new TempDir();
        using var resumed = new TempDir();
        foreach (var s in Schemes) new LotteryRunner(new RunStore(solo), Sparse(s), data).Run(4, 4);
        var results = new LotteryRunner(new RunStore(cohort), Schemes.Select(Sparse).ToList(), data).RunCohort(4, 4);
        Assert.True(results[0][4].Density < 0.03, $"level 4 density {results[0][4].Density}");
        Assert.All(results.SelectMany(r => r.Skip(1)), l => Assert.True(l.FinalTestAccuracy > 0.2, $"level {l.Level}: accuracy {l.FinalTestAccuracy} (chance: 0.1)"));
        new LotteryRunner(new RunStore(resumed), Schemes.Select(Sparse).ToList(), data).RunCohort(4, 2);   // stopped after level 2
        new LotteryRunner(new RunStore(resumed), Schemes.Select(Sparse).ToList(), data).RunCohort(4, 4);

        var a = Files(solo);
        foreach (var (name, other) in new[] { ("cohort", Files(cohort)), ("resumed cohort", Files(resumed)) })
        {
            Assert.Equal(a.Keys.Order(), other.Keys.Order());
            foreach (var (k, v) in a) Assert.True(v.AsSpan().SequenceEqual(other[k]), $"{k} differs between solo runs and the {name}");
        }
    }

    [Fact]
    public void OnlyInitMayDifferWithinACohort()
    {
        using var data = TinyData.Create();
        using var dir = new TempDir();
        var other = With("kaiming-normal") with { Training = With("kaiming-normal").Training with { Lr = 0.1 } };
        Assert.Throws<ArgumentException>(() => new LotteryRunner(new RunStore(dir), [With("xavier-uniform"), other], data));
        Assert.Throws<ArgumentException>(() => new LotteryRunner(new RunStore(dir), [With("xavier-uniform"), With("kaiming-normal") with { Control = Control.Reinit }], data));
    }

    [Fact]
    public void GroupingPutsSameSeedSameKeyRunsTogether()
    {
        var plan = SweepPlan.Expand(With("kaiming-normal"), [("init", ["kaiming-normal", "xavier-normal", "xavier-uniform"])], [1, 2]);
        var groups = Cohorts.Group(plan, 2);
        Assert.Equal(4, groups.Count);                           // per seed: {2 schemes}, {1 scheme}
        Assert.All(groups, g => Assert.Single(g.Select(i => plan[i].Seed).Distinct()));
        Assert.Equal(6, groups.Sum(g => g.Count));
        Assert.Equal(6, Cohorts.Group(plan, 1).Count);
        var ten = SweepPlan.Expand(With("kaiming-normal"), [("init", Enumerable.Range(1, 10).Select(g => $"xavier-normal:gain={g}").ToList())], [1]);
        Assert.Equal(new[] { 4, 3, 3 }, Cohorts.Group(ten, 4).Select(g => g.Count));   // balanced, not 4, 4, 2
    }
}
