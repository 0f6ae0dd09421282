using Lth.Models;
using Lth.Pruning;
using Lth.Training;

namespace Lth.Experiments;

/// <summary>Several observers of one run (progress display, TensorBoard …), called in order; disposing it disposes them.</summary>
public sealed class ObserverList(params ILotteryObserver?[] observers) : ILotteryObserver, IDisposable
{
    private readonly ILotteryObserver[] all = observers.Where(o => o is not null).ToArray()!;

    /// <summary>The observers as one, or null when there are none.</summary>
    public static ILotteryObserver? Of(params ILotteryObserver?[] observers)
    {
        var list = new ObserverList(observers);
        return list.all.Length switch { 0 => null, 1 => list.all[0], _ => list };
    }

    public void OnLevelStart(int level, IModel model, Mask mask) { foreach (var o in all) o.OnLevelStart(level, model, mask); }
    public void OnIteration(long iteration, long total, IModel model) { foreach (var o in all) o.OnIteration(iteration, total, model); }
    public void OnEvaluated(long iteration, long total, IReadOnlyList<MemberResult> members) { foreach (var o in all) o.OnEvaluated(iteration, total, members); }
    public void OnLevelDone(LevelSummary summary, bool skipped) { foreach (var o in all) o.OnLevelDone(summary, skipped); }

    /// <summary>Disposes the observers that own resources (open event files).</summary>
    public void Dispose() { foreach (var o in all.OfType<IDisposable>()) o.Dispose(); }
}
