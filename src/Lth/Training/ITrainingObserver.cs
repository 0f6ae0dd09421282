using Lth.Models;

namespace Lth.Training;

/// <summary>Hooks into a training run: progress, snapshots (rewind points), evaluations.</summary>
public interface ITrainingObserver
{
    /// <summary>Called with the weights "at iteration <paramref name="iteration"/>", i.e. after that many steps (0 = before the first).</summary>
    void OnIteration(long iteration, long total, IModel model) { }

    /// <summary>Called after each evaluation with every member's results so far.</summary>
    void OnEvaluated(long iteration, long total, IReadOnlyList<MemberResult> members) { }
}
