using Lth.Models;
using Lth.Pruning;
using Lth.Training;

namespace Lth.Experiments;

/// <summary>Hooks into a lottery run: level boundaries plus everything a training observer sees.</summary>
public interface ILotteryObserver : ITrainingObserver
{
    /// <summary>A level is about to train; <paramref name="model"/> holds its starting (reset, masked) weights.</summary>
    void OnLevelStart(int level, IModel model, Mask mask) { }

    /// <summary>A level finished now, or was found finished on disk (<paramref name="skipped"/>).</summary>
    void OnLevelDone(LevelSummary summary, bool skipped) { }
}
