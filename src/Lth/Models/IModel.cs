using static TorchSharp.torch;

namespace Lth.Models;

/// <summary>
/// The rows of one training batch, read where they lie: <c>Images[Order[Offset + r]]</c> and <c>Labels[Order[Offset + r]]</c>
/// for r &lt; <c>Count</c>, or rows <c>Offset + r</c> without an order.
/// </summary>
public readonly record struct BatchRows(Tensor Images, Tensor Labels, Tensor? Order, long Offset, int Count);

/// <summary>A non-trainable tensor of a model (e.g. <c>bn.running_mean</c>) with its shape for one member and its initial value.</summary>
public sealed record BufferInfo(string Name, long[] Shape, float Initial);

/// <summary>
/// A network architecture trained as a cohort of K ≥ 1 independent members (a plain run is K = 1).
/// All parameters are views of one flat buffer <see cref="Flat"/> laid out by <see cref="Layout"/>;
/// autograd accumulates their gradients into the flat buffer <see cref="FlatGrad"/>.
/// These are not <c>nn.Module</c>s: a Module owns its parameters, whereas here the flat buffer
/// does, so the optimizer and the mask are a handful of whole-buffer operations.
/// </summary>
public interface IModel : IDisposable
{
    /// <summary>Registry spec this model was built from, e.g. <c>lenet:300,100</c>.</summary>
    string Spec { get; }

    ParameterLayout Layout { get; }

    /// <summary>All parameters of all members, flat (requires no grad itself).</summary>
    Tensor Flat { get; }

    /// <summary>Gradient of <see cref="Flat"/>, filled by backward; zero it before each step.</summary>
    Tensor FlatGrad { get; }

    /// <summary>The parameter <paramref name="name"/> of all members, shape [K, …shape] (a view of <see cref="Flat"/>).</summary>
    Tensor Parameter(string name);

    /// <summary>Member <paramref name="member"/>'s view of <paramref name="buffer"/>'s block for <paramref name="info"/>.</summary>
    Tensor View(Tensor buffer, ParameterInfo info, int member);

    /// <summary>
    /// Logits [K, B, classes] for input [B, …example] shared by all members, or [K, B, …example] per member.
    /// </summary>
    Tensor Forward(Tensor input);

    /// <summary>
    /// The shape of one input example ([C, H, W]) the model was built for, or null when unknown. Set by
    /// <see cref="ModelRegistry.Create"/>; data-free scores (SynFlow's all-ones input) need it.
    /// </summary>
    long[]? ExampleShape => null;

    /// <summary>Where the parameters live (cpu, or cuda in a CUDA build).</summary>
    Device Device { get; }

    /// <summary>A batch size for evaluation that is fast for this architecture.</summary>
    int EvalBatch { get; }

    /// <summary>Training mode (batch statistics, updated running statistics) or evaluation mode; as nn.Module.train()/eval().</summary>
    bool Training { get; set; }

    /// <summary>Non-trainable state saved with the weights (batch norm's running_mean/var), by PyTorch name.</summary>
    IReadOnlyList<BufferInfo> Buffers { get; }

    /// <summary>The buffer <paramref name="name"/> of all members, shape [K, …shape].</summary>
    Tensor Buffer(string name);

    /// <summary>
    /// Tells the model the mask it trains under from now on (null: none), so that it may skip pruned
    /// weights (see <see cref="SparseLinear"/>). The trainer calls it when a level starts and ends.
    /// </summary>
    void UseMask(Pruning.Mask? mask) { }

    /// <summary>
    /// Called by the trainer right after <c>backward()</c>: a model that computes some weight gradients
    /// itself (outside autograd) writes them into <see cref="FlatGrad"/> here.
    /// </summary>
    void AfterBackward() { }

    /// <summary>
    /// One training step's forward pass, loss and backward pass without autograd, for a model that has one
    /// (<see cref="LeNet"/>, <see cref="ConvNet"/>): writes the gradient of the sum over members of each member's mean cross-entropy on
    /// <paramref name="batch"/> into <see cref="FlatGrad"/> (overwriting what it covers) and returns the members'
    /// losses. Null when the model (or this configuration) has no such path: the trainer then runs
    /// <see cref="Forward"/> and autograd.
    /// </summary>
    float[]? TrainingStep(BatchRows batch) => null;
}
