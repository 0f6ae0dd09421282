using Lth.Experiments;
using Lth.Models;
using Lth.Pruning;

namespace Lth.Tests.Experiments;

/// <summary>A bug while a level trains names the run (seed folder) and level.</summary>
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
}
