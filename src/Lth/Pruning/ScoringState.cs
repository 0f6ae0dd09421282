using Lth.Models;
using static TorchSharp.torch;

namespace Lth.Pruning;

/// <summary>
/// The model as a gradient-based score sees it, and its restoration: on creation the weights are saved and
/// replaced by the weights masked by the mask in force (optionally their absolute values, for SynFlow), batch-norm
/// buffers are saved, the gradient buffer is zeroed and the training mode is set; <see cref="Dispose"/> puts back
/// the weights and buffers bit for bit, zeroes the gradient buffer again and restores the mode. So a strategy
/// leaves the model as it found it, with no gradient in <see cref="IModel.FlatGrad"/>.
/// </summary>
internal sealed class ScoringState : IDisposable
{
    private readonly IModel model;
    private readonly Tensor weights;
    private readonly List<(Tensor Live, Tensor Saved)> buffers;
    private readonly bool training;

    /// <param name="model">The model to score.</param>
    /// <param name="mask">The mask in force: pruned weights are zero in the scored network.</param>
    /// <param name="training">Batch norm in training mode (batch statistics; its running statistics are restored afterwards) or evaluation mode.</param>
    /// <param name="absolute">Replace every parameter and buffer by its absolute value (SynFlow's linearized network).</param>
    public ScoringState(IModel model, Mask mask, bool training, bool absolute = false)
    {
        this.model = model;
        this.training = model.Training;
        using var _ = no_grad();
        weights = model.Flat.clone();
        buffers = model.Buffers.Select(b => model.Buffer(b.Name)).Select(t => (t, t.clone())).ToList();
        if (absolute)
        {
            model.Flat.abs_();
            foreach (var (live, _) in buffers) live.abs_();
        }
        model.Flat.mul_(mask.Flat);
        model.FlatGrad.zero_();
        model.Training = training;
    }

    /// <summary>The number of classes: the rows of the output layer's weight.</summary>
    public static int Classes(ParameterLayout layout) =>
        (int)(layout.Parameters.FirstOrDefault(p => p.Kind == LayerKind.Output && p.IsWeight)
              ?? throw new InvalidOperationException("the model has no output layer")).Shape[0];

    /// <summary>The sum over members of each member's mean cross-entropy (as the trainer's loss): member m's gradient is its own loss's.</summary>
    public static Tensor Loss(Tensor logits, Tensor labels)
    {
        long k = logits.shape[0], b = logits.shape[1], classes = logits.shape[2];
        var target = k == 1 ? labels : labels.repeat(k);
        return nn.functional.cross_entropy(logits.reshape(k * b, classes), target, reduction: nn.Reduction.None)
                 .view(k, b).mean([1]).sum();
    }

    public void Dispose()
    {
        using var _ = no_grad();
        model.Flat.copy_(weights);
        foreach (var (live, saved) in buffers) { live.copy_(saved); saved.Dispose(); }
        model.FlatGrad.zero_();
        model.Training = training;
        weights.Dispose();
    }
}
