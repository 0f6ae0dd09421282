using Lth.Models;
using Lth.Training;
using static TorchSharp.torch;

namespace Lth.Experiments;

/// <summary>
/// Saves each member's weights at the rewind iteration during level 0 (<c>rewind_&lt;k&gt;.safetensors</c>) and records
/// each file's SHA-256 in its seed folder's <c>seed.json</c>.
/// </summary>
internal sealed class RewindSaver(long at, IReadOnlyList<string> paths, IModel solo)
{
    public void OnIteration(long iteration, IModel model)
    {
        if (iteration != at) return;
        using var _ = no_grad();
        for (int j = 0; j < paths.Count; j++)
        {
            CohortCopy.ModelMember(model, j, solo, 0);
            var digest = WeightFiles.Save(solo, paths[j]);
            StoredFiles.RecordSeedFile(Path.GetDirectoryName(paths[j])!, Path.GetFileName(paths[j]), digest);
        }
    }
}

/// <summary>Passes the trainer's events to the rewind saver (if any) and the run's observer.</summary>
internal sealed class TrainingForwarder(ILotteryObserver? inner, RewindSaver? rewind) : ITrainingObserver
{
    public void OnIteration(long iteration, long total, IModel model)
    {
        rewind?.OnIteration(iteration, model);
        inner?.OnIteration(iteration, total, model);
    }

    public void OnEvaluated(long iteration, long total, IReadOnlyList<MemberResult> members) => inner?.OnEvaluated(iteration, total, members);
}
