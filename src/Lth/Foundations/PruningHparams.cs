namespace Lth.Foundations;

/// <summary>How each level prunes the trained network.</summary>
public sealed record PruningHparams
{
    [Hparam("strategy", "how each level chooses the weights to remove: magnitude (IMP) or another pruning strategy (see lth strategies)")]
    public string Strategy { get; init; } = "magnitude";

    [Hparam("prune", "where scores are ranked: layerwise | global (global pools every tensor pruned at --rate; the output layer keeps --rate-output)")]
    public PruneScope Scope { get; init; } = PruneScope.Layerwise;

    [Hparam("rate", "fraction of the REMAINING weights of each hidden fully-connected layer pruned per level")]
    public double Rate { get; init; } = 0.2;

    [Hparam("rate-output", "fraction of the remaining weights of the output layer pruned per level")]
    public double RateOutput { get; init; } = 0.1;

    [Hparam("rate-conv", "fraction of the remaining weights of each convolutional layer pruned per level")]
    public double RateConv { get; init; } = 0.1;

    [Hparam("rates", "per-tensor rates overriding the above, e.g. fc1=0.2,fc2=0.2,fc3=0.1 (layer or parameter names); in a sweep, separate several maps with ';'", Map = true)]
    public string Rates { get; init; } = "";

    [Hparam("prune-biases", "prune biases too (at their layer's rate)")]
    public bool PruneBiases { get; init; }

    [Hparam("synflow-rounds", "rounds of --strategy synflow: each re-scores the masked network and prunes along the exponential schedule to the level's density")]
    public int SynflowRounds { get; init; } = 100;

    [Hparam("grasp-temperature", "--strategy grasp divides the logits by this temperature before the loss it scores (the GraSP authors' code uses 200)")]
    public double GraspTemperature { get; init; } = 200;
}
