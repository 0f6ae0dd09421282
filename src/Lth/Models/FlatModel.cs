using TorchSharp;
using static TorchSharp.torch;

namespace Lth.Models;

/// <summary>
/// Base class holding the flat parameter and gradient buffers and the per-parameter leaf views.
/// Each leaf is <c>Flat.narrow(…).view(K, …shape)</c>, detached and marked as requiring grad,
/// with its <c>.grad</c> set once to the matching view of <see cref="FlatGrad"/>: autograd then
/// accumulates in place into the flat gradient.
/// </summary>
public abstract class FlatModel : IModel
{
    private readonly Dictionary<string, Tensor> leaves = new();
    private readonly Dictionary<string, Tensor> buffers = new();
    private readonly List<BufferInfo> bufferInfos = new();

    protected FlatModel(string spec, ParameterLayout layout, Device? device = null)
    {
        Spec = spec;
        Layout = layout;
        Device = device ?? CPU;
        Flat = zeros(layout.TotalSize, dtype: ScalarType.Float32, device: Device);
        FlatGrad = zeros(layout.TotalSize, dtype: ScalarType.Float32, device: Device);
        foreach (var p in layout.Parameters)
        {
            long[] shape = [layout.Members, .. p.Shape];
            var leaf = Flat.narrow(0, p.Offset, p.Numel * layout.Members).view(shape).detach().requires_grad_(true);
            leaf.grad = FlatGrad.narrow(0, p.Offset, p.Numel * layout.Members).view(shape);
            leaves[p.Name] = leaf;
        }
    }

    public string Spec { get; }
    public ParameterLayout Layout { get; }
    public Tensor Flat { get; }
    public Device Device { get; }

    /// <inheritdoc/>
    public long[]? ExampleShape { get; internal set; }
    public Tensor FlatGrad { get; }
    public virtual int EvalBatch => 1000;
    protected int Members => Layout.Members;
    public bool Training { get; set; } = true;
    public IReadOnlyList<BufferInfo> Buffers => bufferInfos;

    public Tensor Buffer(string name) => buffers.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"no buffer '{name}'");

    /// <summary>Declares a buffer of shape [K, …shape] filled with <paramref name="initial"/>.</summary>
    protected void RegisterBuffer(string name, long[] shape, float initial)
    {
        bufferInfos.Add(new BufferInfo(name, shape, initial));
        buffers[name] = full([Layout.Members, .. shape], initial, dtype: ScalarType.Float32, device: Device);
    }

    public Tensor Parameter(string name) => leaves.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"no parameter '{name}'");

    public Tensor View(Tensor buffer, ParameterInfo info, int member)
    {
        long n = info.Numel;
        return buffer.narrow(0, info.Offset + member * n, n).view(info.Shape);
    }

    public abstract Tensor Forward(Tensor input);

    /// <inheritdoc/>
    public virtual void UseMask(Pruning.Mask? mask) { }

    /// <inheritdoc/>
    public virtual void AfterBackward() { }

    /// <inheritdoc/>
    public virtual float[]? TrainingStep(BatchRows batch) => null;

    /// <summary>
    /// Whether training steps run the model's own step where it has one (<see cref="TrainingStep"/>: LeNet's
    /// <see cref="FcGradients"/>, ConvNet's <see cref="ConvGradients"/>, whose forward pass also serves evaluation; on by
    /// default). Off: libtorch and autograd, the reference path.
    /// </summary>
    public bool ManualGradients { get; set; } = true;

    /// <summary>
    /// What every own step needs: <see cref="ManualGradients"/> on, training, on the CPU with AVX-512
    /// (<see cref="FcGradients.Supported"/>), and a batch of contiguous float32 images with int64 labels and order there.
    /// </summary>
    protected bool OwnStepApplies(BatchRows batch) =>
        ManualGradients && Training && Device.type == DeviceType.CPU && FcGradients.Supported
        && batch.Images.dtype == ScalarType.Float32 && batch.Images.device_type == DeviceType.CPU && batch.Images.is_contiguous()
        && batch.Labels.dtype == ScalarType.Int64 && batch.Labels.device_type == DeviceType.CPU && batch.Labels.is_contiguous()
        && (batch.Order is not { } o || o.dtype == ScalarType.Int64 && o.device_type == DeviceType.CPU && o.is_contiguous());

    public void Dispose()
    {
        foreach (var t in leaves.Values) t.Dispose();
        foreach (var t in buffers.Values) t.Dispose();
        Flat.Dispose();
        FlatGrad.Dispose();
        GC.SuppressFinalize(this);
    }
}
