namespace Lth.Training;

/// <summary>One evaluation of one member: loss and accuracy on a split at an iteration.
/// Split is <c>train</c> (mean minibatch loss since the last evaluation; no accuracy), <c>val</c> or <c>test</c>.</summary>
public sealed record EvalPoint(long Iteration, string Split, double Loss, double? Accuracy);

/// <summary>Everything one member's training produced.</summary>
public sealed class MemberResult
{
    public List<EvalPoint> Metrics { get; } = new();
    /// <summary>
    /// Iteration at which the member diverged, if it did: a loss became NaN or infinite, or the mean training loss
    /// since the last evaluation exceeded both <see cref="DivergenceFactor"/> × the level's starting loss (its first
    /// evaluation's validation loss, or test loss without a validation split) and that loss + <see cref="DivergenceMargin"/>
    /// nats — Adam at a huge learning rate can climb to losses of hundreds without ever producing a NaN, while a few
    /// noisy first steps of a healthy run stay far below that.
    /// </summary>
    public long? DivergedAt { get; set; }
    public bool Diverged => DivergedAt.HasValue;

    /// <summary>How many times its starting loss a member's training loss may reach before it counts as diverged.</summary>
    public const double DivergenceFactor = 10;

    /// <summary>…and by at least this many nats (so a small starting loss does not make a short spike count).</summary>
    public const double DivergenceMargin = 100;

    /// <summary>Whether the metrics at <paramref name="iteration"/> show divergence (the rule of <see cref="DivergedAt"/>).</summary>
    public bool DivergesAt(long iteration)
    {
        var now = Metrics.Where(e => e.Iteration == iteration).ToList();
        if (now.Any(e => !double.IsFinite(e.Loss))) return true;
        var start = Metrics.FirstOrDefault(e => e.Split == "val") ?? Metrics.FirstOrDefault(e => e.Split == "test");
        var train = now.FirstOrDefault(e => e.Split == "train");
        return start is not null && train is not null
            && train.Loss > DivergenceFactor * start.Loss && train.Loss > start.Loss + DivergenceMargin;
    }

    /// <summary>Iteration of minimum validation loss (the earliest, on ties): the early-stopping iteration.</summary>
    public long? EarlyStopIteration =>
        Metrics.Where(e => e.Split == "val" && double.IsFinite(e.Loss)).OrderBy(e => e.Loss).ThenBy(e => e.Iteration)
               .Select(e => (long?)e.Iteration).FirstOrDefault();

    public double? TestAccuracyAt(long iteration) =>
        Metrics.FirstOrDefault(e => e.Split == "test" && e.Iteration == iteration)?.Accuracy;

    public EvalPoint? Last(string split) => Metrics.LastOrDefault(e => e.Split == split);
}
