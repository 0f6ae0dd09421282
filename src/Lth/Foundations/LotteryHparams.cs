namespace Lth.Foundations;

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

    [Hparam("control", "a control branch using the masks of the same run without control: none | reinit | reinit-signed | random-prune | random-prune-global | shuffle")]
    public Control Control { get; init; } = Control.None;

    [Hparam("one-shot", "prune the dense trained network straight to each level's density (1-p)^L instead of iteratively")]
    public bool OneShot { get; init; }

    [Hparam("optimizer-state", "fresh | carry: reset the optimizer at each level (Frankle & Carbin) or carry it across levels (the seed study's shared Adam)")]
    public OptimizerState OptimizerState { get; init; } = OptimizerState.Fresh;

    [Hparam("data-order", "restart | continuous: each level replays the data order from its first epoch (Frankle & Carbin), or the order continues across levels (the seed study's one loop over all rounds)")]
    public DataOrderMode DataOrder { get; init; } = DataOrderMode.Restart;

    [Hparam("instability", "linear mode connectivity (Frankle et al. 2020): none | all | a list of levels such as 0,3,6 (in a sweep, separate several values with ';'); at each, a second copy trains from the level's starting weights under the same mask with another data order, and the error is measured along the line between the two", Map = true)]
    public string Instability { get; init; } = "none";

    [Hparam("interp-points", "with --instability: evenly spaced points alpha in [0, 1] on the line between the two copies (both ends included)")]
    public int InterpPoints { get; init; } = 30;

    [Hparam("transfer-from", "take each level's mask from the same run initialized with this scheme (ticket transfer); weights still from --init")]
    public string TransferFrom { get; init; } = "";
}
