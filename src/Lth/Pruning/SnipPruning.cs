using Lth.Models;
using static TorchSharp.torch;

namespace Lth.Pruning;

/// <summary>
/// SNIP (Lee et al. 2019), connection sensitivity: score |g ⊙ w|, with w the weights given (masked by the mask in
/// force) and g the gradient of the cross-entropy loss on ONE batch of 10 × classes training examples drawn from
/// <see cref="PruningContext.Batches"/> (100 for ten classes), batch norm in training mode. The entries with the
/// lowest score are removed, at the level's rates (<see cref="ScorePruning"/>: prunable weights at their rates,
/// biases only with <c>--prune-biases</c>, the output layer at its own rate under <c>--prune global</c>).
/// All members are scored in one forward and backward (the loss is the sum of the members' losses; every member
/// sees the same batch). Registered as <c>snip</c>; refuses to run without data.
/// </summary>
public sealed class SnipPruning : ScorePruning
{
    /// <summary>Examples per class in SNIP's batch.</summary>
    public const int PerClass = 10;

    protected override Tensor? ScoreNetwork(PruningContext context)
    {
        var batches = context.Batches ?? throw new HparamsException("--strategy snip: needs training data");
        var model = context.Model;
        using var scope = NewDisposeScope();
        var (x, y) = batches(PerClass * ScoringState.Classes(model.Layout));
        using (var state = new ScoringState(model, context.Current, training: true))
        using (enable_grad())
        {
            ScoringState.Loss(model.Forward(x), y).backward();
            model.AfterBackward();
            using var _ = no_grad();
            return model.Flat.mul(model.FlatGrad).abs_().MoveToOuterDisposeScope();
        }
    }
}
