namespace Lth.Experiments;

/// <summary>
/// Everything that defines a lottery experiment (apart from the seed and the number of levels,
/// which select a member and an extent of it). Its non-default fields define the run's hash.
/// </summary>
public sealed record LotteryHparams
{
    public DatasetHparams Dataset { get; init; } = new();
    public ModelHparams Model { get; init; } = new();
    public TrainingHparams Training { get; init; } = new();
    public PruningHparams Pruning { get; init; } = new();

    [Hparam("rewind", "reset survivors to their values at this step of level 0: 0it (Frankle & Carbin) or e.g. 500it")]
    public string Rewind { get; init; } = "0it";
}
