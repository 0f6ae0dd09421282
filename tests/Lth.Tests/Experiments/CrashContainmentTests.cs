using Lth.Experiments;
using Lth.Models;
using Lth.Pruning;

namespace Lth.Tests.Experiments;

/// <summary>
/// A bug while a level trains names the run (seed folder) and level; a sweep executor takes up units whose lock was
/// released while it worked (a worker that died).
/// </summary>
public class CrashContainmentTests
{
    /// <summary>Throws <paramref name="error"/> when level <paramref name="level"/> starts, or at its 10th iteration.</summary>
    private sealed class Faulty(int level, bool inIteration, Func<Exception> error) : ILotteryObserver
    {
        private int current = -1;
        public void OnLevelStart(int l, IModel model, Mask mask)
        {
            current = l;
            if (l == level && !inIteration) throw error();
        }
        public void OnIteration(long iteration, long total, IModel model)
        {
            if (current == level && inIteration && iteration == 10) throw error();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AnUnexpectedErrorWhileALevelTrainsNamesTheSeedFolderAndLevel(bool inIteration)
    {
        using var data = TinyData.Create();
        using var dir = new TempDir();
        var store = new RunStore(dir);
        var hp = LotteryRunnerTests.Tiny();
        var e = Assert.Throws<LevelFailedException>(() =>
            new LotteryRunner(store, hp, data).Run(4, 2, new Faulty(1, inIteration, () => new InvalidOperationException("boom"))));
        var seedDir = store.SeedDir(hp, 4);
        Assert.Equal(seedDir, e.SeedDir);
        Assert.Equal([seedDir], e.SeedDirs);
        Assert.Equal(1, e.Level);
        Assert.StartsWith($"{seedDir} level 1: InvalidOperationException: boom", e.Message);
        Assert.IsType<InvalidOperationException>(e.InnerException);
        Assert.Contains("at Lth.", e.InnerException!.StackTrace);   // the stack trace of the bug is kept (frames may be inlined)
        // Level 0 stays complete, and the run resumes at level 1 once the bug is gone.
        Assert.True(store.IsLevelDone(hp, 4, 0));
        Assert.False(store.IsLevelDone(hp, 4, 1));
        Assert.Equal(3, new LotteryRunner(store, hp, data).Run(4, 2).Count);
    }

    [Fact]
    public void ErrorsWithAKnownCauseAreNotWrapped()
    {
        using var data = TinyData.Create();
        using var dir = new TempDir();
        var hp = LotteryRunnerTests.Tiny();
        // Files, cancellation and bad input keep their types: the CLI maps them to exit codes 3, 130 and 2.
        Assert.Throws<IOException>(() => new LotteryRunner(new RunStore(dir), hp, data).Run(1, 1, new Faulty(1, true, () => new IOException("disk full"))));
        Assert.Throws<OperationCanceledException>(() => new LotteryRunner(new RunStore(dir), hp, data).Run(1, 1, new Faulty(1, true, () => new OperationCanceledException())));
        Assert.Throws<HparamsException>(() => new LotteryRunner(new RunStore(dir), hp, data).Run(1, 1, new Faulty(1, false, () => new HparamsException("bad"))));
    }

    [Fact]
    public void InACohortTheErrorNamesEveryMemberThatWasTraining()
    {
        using var data = TinyData.Create();
        using var dir = new TempDir();
        var store = new RunStore(dir);
        var members = new[] { LotteryRunnerTests.Tiny("kaiming-normal"), LotteryRunnerTests.Tiny("xavier-normal") };
        var e = Assert.Throws<LevelFailedException>(() =>
            new LotteryRunner(store, members, data).RunCohort(2, 1, new Faulty(0, false, () => new NullReferenceException())));
        Assert.Equal(members.Select(m => store.SeedDir(m, 2)), e.SeedDirs);
        Assert.Equal(0, e.Level);
        Assert.StartsWith($"{store.SeedDir(members[0], 2)} level 0: NullReferenceException", e.Message);
    }

    [Fact]
    public void AnExecutorTakesUpAUnitWhoseHolderDiedWhileItWorked()
    {
        using var dir = new TempDir();
        var store = new RunStore(dir);
        var plan = new List<SweepRun>
        {
            new(LotteryRunnerTests.Tiny(), 1, new Dictionary<string, string>()),
            new(LotteryRunnerTests.Tiny(), 2, new Dictionary<string, string>()),
        };
        // Another worker holds seed 1 when this one starts, and dies (its lock goes) while this one trains seed 2.
        var held = RunLock.TryAcquire(store.SeedDir(plan[0].Hparams, 1));
        Assert.NotNull(held);
        var started = new List<long>();
        var ex = new SweepExecutor(store, plan, 1, _ => TinyData.Create())
        {
            RunStarting = (_, run) => started.Add(run.Seed),
            ObserverFor = (_, run) => run.Seed == 2 ? new ReleaseOnLevel(held!) : null,
        };
        Assert.Equal(2, ex.RunAll(0));
        Assert.True(store.IsRunComplete(plan[0].Hparams, 1, 1), "the unit whose holder died was left undone");
        Assert.True(store.IsRunComplete(plan[1].Hparams, 2, 1));
        Assert.Equal([1, 2, 1], started);   // seed 1 was busy on the first pass and taken on the second
        // Nothing is left: a second call starts nothing.
        started.Clear();
        Assert.Equal(0, ex.RunAll(1));
        Assert.Empty(started);
    }

    private sealed class ReleaseOnLevel(RunLock held) : ILotteryObserver
    {
        public void OnLevelDone(LevelSummary summary, bool skipped) => held.Dispose();
    }
}
