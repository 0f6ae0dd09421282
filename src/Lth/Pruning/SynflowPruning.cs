using Lth.Models;
using static TorchSharp.torch;

namespace Lth.Pruning;

/// <summary>
/// Iterative SynFlow (Tanaka et al. 2020), data-free: score |w ⊙ ∂R/∂w| with R = 1ᵀ(∏ₗ|Wₗ|)1, the sum of the logits
/// of the linearized network on one all-ones input of the example shape (every parameter and batch-norm buffer
/// replaced by its absolute value, pruned weights zero, batch norm in evaluation mode; everything restored bit for
/// bit afterwards). The lowest scores are removed. It prunes in <c>--synflow-rounds</c> R rounds (default 100):
/// round r re-scores the network masked by round r − 1 and keeps, of the A entries of each ranked group alive at
/// the start, A − ceil(A · (1 − (1 − p)^(r/R))): the exponential schedule, per tensor for <c>--prune layerwise</c>,
/// pooled for global. The last round keeps exactly A − ceil(p · A), what one <see cref="ScorePruning"/> ranking
/// keeps. Tensors scored: as <see cref="ScorePruning"/> (prunable weights at their rates, biases only with
/// <c>--prune-biases</c>, the output layer at its own rate). Needs the model's <see cref="IModel.ExampleShape"/>.
/// Registered as <c>synflow</c>.
/// </summary>
public sealed class SynflowPruning : ScorePruning
{
    protected override int Rounds(PruningContext context) => context.Hparams.SynflowRounds;

    protected override Tensor? ScoreNetwork(PruningContext context)
    {
        var model = context.Model;
        var shape = model.ExampleShape ?? throw new InvalidOperationException("synflow: the model does not know its example shape (build it with ModelRegistry.Create)");
        using var scope = NewDisposeScope();
        using (var state = new ScoringState(model, context.Current, training: false, absolute: true))
        using (enable_grad())
        {
            using var input = ones([1, .. shape], dtype: ScalarType.Float32, device: model.Device);
            model.Forward(input).sum().backward();
            model.AfterBackward();
            using var _ = no_grad();
            var scores = model.Flat.mul(model.FlatGrad).abs_();
            if (!scores.isfinite().all().item<bool>())
                throw new InvalidOperationException("synflow: a score overflowed float32 (the product of |W| over the layers is too large for this network)");
            return scores.MoveToOuterDisposeScope();
        }
    }
}
