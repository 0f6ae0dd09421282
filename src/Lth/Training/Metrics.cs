namespace Lth.Training;

/// <summary>One evaluation of one member: loss and accuracy on a split at an iteration.
/// Split is <c>train</c> (mean minibatch loss since the last evaluation; no accuracy), <c>val</c> or <c>test</c>.</summary>
public sealed record EvalPoint(long Iteration, string Split, double Loss, double? Accuracy);

/// <summary>Everything one member's training produced.</summary>
public sealed class MemberResult
{
    public List<EvalPoint> Metrics { get; } = new();
    /// <summary>Iteration at which a loss first became NaN or infinite, if it did.</summary>
    public long? DivergedAt { get; set; }
    public bool Diverged => DivergedAt.HasValue;

    /// <summary>Iteration of minimum validation loss (the earliest, on ties): the early-stopping iteration.</summary>
    public long? EarlyStopIteration =>
        Metrics.Where(e => e.Split == "val" && double.IsFinite(e.Loss)).OrderBy(e => e.Loss).ThenBy(e => e.Iteration)
               .Select(e => (long?)e.Iteration).FirstOrDefault();

    public double? TestAccuracyAt(long iteration) =>
        Metrics.FirstOrDefault(e => e.Split == "test" && e.Iteration == iteration)?.Accuracy;

    public EvalPoint? Last(string split) => Metrics.LastOrDefault(e => e.Split == split);
}
