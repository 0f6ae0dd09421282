using TorchSharp;
using static TorchSharp.torch;

namespace Lth.Models;

/// <summary>
/// LeNet: a fully-connected network with any hidden widths (LeNet-300-100 = widths 300, 100), as
/// Frankle &amp; Carbin's and open_lth's <c>mnist_lenet_300_100</c>. Layer i is PyTorch's
/// <c>nn.Linear</c> named <c>fc{i+1}</c> with weight [out, in]; the last layer is the output layer.
/// Members compute <c>W·h + b</c> on feature-major activations as one batched matmul over [K, out, in] weights.
/// While training under a mask (<see cref="UseMask"/>), hidden layers with at most
/// <see cref="SparseForwardBelow"/> of their weights left are computed over the survivors only
/// (<see cref="SparseLinear"/>): the same function to float rounding (within 1e-6 relative, tested), and
/// bitwise the same for a member alone and in a cohort.
/// </summary>
public sealed class LeNet : FlatModel
{
    private readonly string[] weights;
    private readonly string?[] biases;
    private readonly Activation activation;

    public LeNet(string spec, long inputs, IReadOnlyList<int> widths, int classes, Activation activation, bool bias, int members = 1, Device? device = null)
        : base(spec, BuildLayout(inputs, widths, classes, bias, members), device)
    {
        this.activation = activation;
        int layers = widths.Count + 1;
        weights = Enumerable.Range(1, layers).Select(i => $"fc{i}.weight").ToArray();
        biases = Enumerable.Range(1, layers).Select(i => bias ? $"fc{i}.bias" : null).ToArray();
        sparse = new SparseState?[layers];
    }

    private static ParameterLayout BuildLayout(long inputs, IReadOnlyList<int> widths, int classes, bool bias, int members)
    {
        var ps = new List<(string, long[], LayerKind, bool, string)>();
        long fanIn = inputs;
        for (int i = 0; i <= widths.Count; i++)
        {
            long outs = i < widths.Count ? widths[i] : classes;
            var kind = i < widths.Count ? LayerKind.Hidden : LayerKind.Output;
            string w = $"fc{i + 1}.weight";
            ps.Add((w, [outs, fanIn], kind, true, w));
            if (bias) ps.Add(($"fc{i + 1}.bias", [outs], kind, false, w));
            fanIn = outs;
        }
        return new ParameterLayout(members, ps);
    }

    /// <summary>A hidden layer runs over its surviving weights only (<see cref="SparseLinear"/>) when at most this fraction of them survives.</summary>
    /// <remarks>Measured on a 2-core AVX-512 Xeon, one thread, a cohort of 4 at batch 60 (bench/Lth.Bench
    /// --profile --density D): MKL's dense GEMM wins above ~40-50% density for the forward product (the kernel alone breaks even near 50%; the sparse path also copies its input into a padded buffer).</remarks>
    public const double SparseForwardBelow = 0.4;

    /// <summary>A sparse layer's gradients (weight and input) are computed over surviving weights only when at most this fraction survives (the dense GEMMs win above ~27%).</summary>
    public const double SparseGradientBelow = 0.25;

    /// <summary>A layer running sparse: its survivors' index, and whether its gradients too go over survivors only.</summary>
    internal sealed record SparseState(SparseLinear Index, bool Gradients);

    private SparseState?[] sparse;   // per layer, while a mask is in use; null: dense
    private readonly List<(int Layer, Tensor? Input, Tensor X, Tensor Y)> pending = new();   // this step's sparse layers, for AfterBackward

    /// <summary>Whether hidden layers may run over their surviving weights only (on by default; off gives the dense reference path).</summary>
    public bool AllowSparse { get; set; } = true;

    /// <summary>How many layers currently run sparse (set by <see cref="UseMask"/>).</summary>
    public int SparseLayers => sparse.Count(l => l is not null);

    /// <summary>Whether any layer currently runs sparse.</summary>
    public bool IsSparse => SparseLayers > 0;

    /// <inheritdoc/>
    /// <remarks>Hidden layers (not the output layer) whose every member is at most <see cref="SparseForwardBelow"/>
    /// dense run sparse: a cohort then takes the path each member's solo run takes.</remarks>
    public override void UseMask(Pruning.Mask? mask)
    {
        sparse = new SparseState?[weights.Length];
        pending.Clear();
        if (mask is null || !AllowSparse || Device.type != TorchSharp.DeviceType.CPU) return;
        for (int i = 0; i < weights.Length - 1; i++)
        {
            var info = Layout[weights[i]];
            using var scope = NewDisposeScope();
            var m = mask.Flat.narrow(0, info.Offset, info.Numel * Members).view(Members, info.Shape[0], info.Shape[1]);
            double densest = m.sum([1, 2]).max().item<float>() / (double)info.Numel;
            if (densest > SparseForwardBelow) continue;
            sparse[i] = new SparseState(new SparseLinear(m), densest <= SparseGradientBelow);
        }
    }

    /// <inheritdoc/>
    /// <remarks>Sparse layers are leaves of autograd's graph: from the last to the first, each one's output
    /// gradient gives its weight gradient and, for a hidden input, its input gradient, which is sent back
    /// through the layers below with a second <c>backward</c>.</remarks>
    public override void AfterBackward()
    {
        for (int p = pending.Count - 1; p >= 0; p--)
        {
            var (layer, input, x, y) = pending[p];
            var dy = y.grad;
            if (dy is null) continue;
            var info = Layout[weights[layer]];
            var w = Parameter(weights[layer]).detach();
            var g = FlatGrad.narrow(0, info.Offset, info.Numel * Members).view(Members, info.Shape[0], info.Shape[1]);
            long b = dy.shape[2];
            int bp = (int)x.shape[^1];
            Tensor dh;
            var state = sparse[layer]!;
            if (state.Gradients)
            {
                var dyPadded = zeros(Members, info.Shape[0], bp);
                dyPadded.narrow(2, 0, b).copy_(dy);
                state.Index.WeightGradient(dyPadded, x, g);
                if (input is null || !input.requires_grad) continue;
                var dx = empty(Members, info.Shape[1], bp);
                state.Index.InputGradient(w, dyPadded, dx);
                dh = dx.narrow(2, 0, b);
            }
            else
            {
                var xb = x.narrow(-1, 0, b);                                    // [in, B] or [K, in, B]
                g.add_(dy.bmm(xb.dim() == 2 ? xb.t().unsqueeze(0).expand(Members, -1, -1) : xb.transpose(1, 2)));
                if (input is null || !input.requires_grad) continue;
                dh = w.transpose(1, 2).bmm(dy);                                 // [K, in, out]·[K, out, B]
            }
            input.backward([dh]);
        }
        pending.Clear();
    }

    /// <summary>Layer <paramref name="i"/> over its surviving weights: [K, out, B]; with autograd on, a leaf whose gradient <see cref="AfterBackward"/> uses.</summary>
    private Tensor SparseLayer(int i, Tensor h, bool shared, long b)
    {
        var w = Parameter(weights[i]);
        long outs = w.shape[1], ins = w.shape[2];
        int bp = SparseLinear.Padded(b);
        Tensor x;
        if (shared) { x = zeros(ins, bp); x.narrow(1, 0, b).copy_(h[0].detach()); }       // the network input, shared by all members
        else { x = zeros(Members, ins, bp); x.narrow(2, 0, b).copy_(h.detach()); }
        var y = empty(Members, outs, bp);
        sparse[i]!.Index.Forward(w.detach(), x, y);
        var leaf = y.narrow(2, 0, b).contiguous();
        if (is_grad_enabled())
        {
            leaf.requires_grad_(true);
            pending.Add((i, i == 0 ? null : h, x, leaf));
        }
        return leaf;
    }

    private FcGradients? manual;

    /// <inheritdoc/>
    /// <remarks>LeNet computes its own gradients (<see cref="FcGradients"/>) on CPUs with AVX-512 (<see cref="FcGradients.Supported"/>), for an input shared by all members.</remarks>
    public override float[]? TrainingStep(BatchRows batch)
    {
        if (!OwnStepApplies(batch)) return null;
        manual ??= new FcGradients(Enumerable.Range(0, weights.Length).Select(i =>
        {
            var w = Layout[weights[i]];
            return new FcGradients.Layer(w.Offset, biases[i] is string bn ? Layout[bn].Offset : -1, (int)w.Shape[1], (int)w.Shape[0], i < weights.Length - 1);
        }).ToArray(), Members, (float)activation.Slope);
        return manual.Step(Flat, FlatGrad, batch, sparse, torch.get_num_threads());
    }


    public override Tensor Forward(Tensor input)
    {
        long k = Members;
        // Activations are feature-major, [K, features, B]: each layer is W·h + b, so autograd's weight
        // gradient dY·hᵀ comes out as a contiguous [K, out, in] that accumulates straight into the flat
        // gradient. The batch-major h·Wᵀ form yields a transposed gradient and a strided accumulation:
        // 25–30% slower per step (bench/ --profile). A shared input [B, C, H, W] (one data order for all
        // members) is expanded without a copy; a per-member input is [K, B, C, H, W]. One wide GEMM
        // [K·out, in]·xᵀ for the shared first layer measured 12% slower than the batched one at 2 threads.
        bool perMember = input.dim() == 5;
        long b = perMember ? input.shape[1] : input.shape[0];
        Tensor h = perMember ? input.reshape(k, b, -1).transpose(1, 2) : input.reshape(b, -1).t().unsqueeze(0).expand(k, -1, -1);
        pending.Clear();
        for (int i = 0; i < weights.Length; i++)
        {
            h = i < sparse.Length && sparse[i] is not null && input.device_type == TorchSharp.DeviceType.CPU
                ? SparseLayer(i, h, shared: i == 0 && !perMember, b)
                : Parameter(weights[i]).bmm(h);                // [K, out, in]·[K, in, B] = [K, out, B]
            if (biases[i] is string bn) h = h.add(Parameter(bn).unsqueeze(2));
            if (i < weights.Length - 1) h = activation.Apply(h);
        }
        return h.transpose(1, 2);                               // [K, B, classes]
    }
}
