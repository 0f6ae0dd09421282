
namespace Lth.Reports;

/// <summary>A per-level measurement the report summarizes: its column name, a label for people, and how to read it.</summary>
public sealed record Metric(string Name, string Label, Func<LevelSummary, double?> Value)
{
    public static readonly Metric TestAccuracy = new("test_accuracy_at_early_stop", "test accuracy at early stop", s => s.TestAccuracyAtEarlyStop);
    public static readonly Metric EarlyStopIteration = new("early_stop_iteration", "early-stop iteration", s => s.EarlyStopIteration);
    public static readonly Metric FinalTestAccuracy = new("final_test_accuracy", "final test accuracy", s => s.FinalTestAccuracy);

    public static IReadOnlyList<Metric> All { get; } = [TestAccuracy, EarlyStopIteration, FinalTestAccuracy];

    /// <summary>The metric's value for a usable (not diverged) level, else null.</summary>
    public double? Of(RunLevel r) => r.Summary.Diverged ? null : Value(r.Summary) is double v && double.IsFinite(v) ? v : null;
}
