namespace Lth.Foundations;

/// <summary>How each level is trained.</summary>
public sealed record TrainingHparams
{
    [Hparam("optimizer", "adam | sgd")]
    public string Optimizer { get; init; } = "adam";

    [Hparam("lr", "learning rate")]
    public double Lr { get; init; } = 1.2e-3;

    [Hparam("momentum", "SGD momentum")]
    public double Momentum { get; init; }

    [Hparam("weight-decay", "L2 weight decay (added to the gradient, as torch.optim does)")]
    public double WeightDecay { get; init; }

    [Hparam("beta1", "Adam beta1")]
    public double Beta1 { get; init; } = 0.9;

    [Hparam("beta2", "Adam beta2")]
    public double Beta2 { get; init; } = 0.999;

    [Hparam("eps", "Adam epsilon")]
    public double Eps { get; init; } = 1e-8;

    [Hparam("batch", "minibatch size")]
    public int Batch { get; init; } = 60;

    [Hparam("steps", "training length per level: 50000it or 5ep")]
    public string Steps { get; init; } = "50000it";

    [Hparam("warmup", "linear learning-rate warmup as open_lth: the update at iteration it (0-based) uses lr·min(1, it/W), so the first is 0; W as 1000it, 2ep or 5% of --steps; 0it: none")]
    public string Warmup { get; init; } = "0it";

    [Hparam("lr-drops", "milestones at which the learning rate is multiplied by --lr-gamma, e.g. 80ep,120ep or 50%,75% (of --steps); the update at iteration it uses lr·γ^(milestones ≤ it); none by default", Map = true)]
    public string LrDrops { get; init; } = "";

    [Hparam("lr-gamma", "factor applied to the learning rate at each --lr-drops milestone, in (0, 1]")]
    public double LrGamma { get; init; } = 0.1;

    [Hparam("eval-every", "evaluate on validation and test every: 1ep or 500it (and always at the end)")]
    public string EvalEvery { get; init; } = "1ep";
}
