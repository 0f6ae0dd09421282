using static TorchSharp.torch;

namespace Lth.Models;

/// <summary>
/// LeNet: a fully-connected network with any hidden widths (LeNet-300-100 = widths 300, 100), as
/// Frankle &amp; Carbin's and open_lth's <c>mnist_lenet_300_100</c>. Layer i is PyTorch's
/// <c>nn.Linear</c> named <c>fc{i+1}</c> with weight [out, in]; the last layer is the output layer.
/// Members compute <c>W·h + b</c> on feature-major activations as one batched matmul over [K, out, in] weights.
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

    /// <summary>The first layer runs over its surviving weights only (<see cref="SparseLinear"/>) when at most this fraction of them survives.</summary>
    /// <remarks>Measured on a 2-core AVX-512 Xeon, one thread, a cohort of 4 at batch 60 (bench/Lth.Bench
    /// --profile --density D): MKL's dense GEMM wins above ~50% density for the forward product.</remarks>
    public const double SparseForwardBelow = 0.45;

    /// <summary>The first layer's weight gradient is computed at surviving weights only when at most this fraction survives (the dense GEMM wins above ~27%).</summary>
    public const double SparseGradientBelow = 0.25;

    private SparseLinear? sparse;          // the first layer's surviving weights, while a sparse mask is in use
    private bool sparseGradient;
    private Tensor? pendingInput, pendingOutput;   // this step's padded xᵀ and first-layer output, for AfterBackward

    /// <summary>Whether the first layer may run over its surviving weights only (on by default; off gives the dense reference path).</summary>
    public bool AllowSparse { get; set; } = true;

    /// <summary>Whether the first layer currently runs sparse (set by <see cref="UseMask"/>).</summary>
    public bool IsSparse => sparse is not null;

    /// <inheritdoc/>
    public override void UseMask(Pruning.Mask? mask)
    {
        sparse = null;
        if (mask is null || !AllowSparse || Device.type != TorchSharp.DeviceType.CPU) return;
        var info = Layout[weights[0]];
        using var scope = NewDisposeScope();
        var m = mask.Flat.narrow(0, info.Offset, info.Numel * Members).view(Members, info.Shape[0], info.Shape[1]);
        // Every member's density must be low: a cohort then takes the path each member's solo run takes.
        double densest = m.sum([1, 2]).max().item<float>() / (double)info.Numel;
        if (densest > SparseForwardBelow) return;
        sparse = new SparseLinear(m);
        sparseGradient = densest <= SparseGradientBelow;
    }

    /// <inheritdoc/>
    public override void AfterBackward()
    {
        if (pendingOutput is null || pendingInput is null) return;
        var dy = pendingOutput.grad;
        var x = pendingInput;
        pendingInput = pendingOutput = null;
        if (dy is null) return;
        var g = FlatGrad.narrow(0, Layout[weights[0]].Offset, Layout[weights[0]].Numel * Members).view(Members, -1, x.shape[^2]);
        long b = dy.shape[2];
        if (sparseGradient)
        {
            var dyPadded = zeros(dy.shape[0], dy.shape[1], x.shape[^1]);
            dyPadded.narrow(2, 0, b).copy_(dy);
            sparse!.WeightGradient(dyPadded, x, g);
        }
        else
        {
            var xb = x.narrow(-1, 0, b);                                        // [in, B] or [K, in, B]
            var xt = xb.dim() == 2 ? xb.t().unsqueeze(0).expand(Members, -1, -1) : xb.transpose(1, 2);
            g.add_(dy.bmm(xt));                                                // [K, out, B]·[K, B, in]
        }
    }

    /// <summary>The first layer over its surviving weights: [K, out, B], a leaf whose gradient <see cref="AfterBackward"/> turns into the weight gradient.</summary>
    private Tensor SparseFirstLayer(Tensor input, bool perMember, long k, long b)
    {
        var w0 = Parameter(weights[0]);
        long outs = w0.shape[1], ins = w0.shape[2];
        int bp = SparseLinear.Padded(b);
        Tensor x = perMember ? zeros(k, ins, bp) : zeros(ins, bp);
        if (perMember) x.narrow(2, 0, b).copy_(input.reshape(k, b, ins).transpose(1, 2));
        else x.narrow(1, 0, b).copy_(input.reshape(b, ins).t());
        var y = empty(k, outs, bp);
        sparse!.Forward(w0.detach(), x, y);
        var h = y.narrow(2, 0, b).contiguous();
        if (is_grad_enabled())
        {
            h.requires_grad_(true);
            (pendingInput, pendingOutput) = (x, h);
        }
        return h;
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
        for (int i = 0; i < weights.Length; i++)
        {
            h = i == 0 && sparse is not null && input.device_type == TorchSharp.DeviceType.CPU
                ? SparseFirstLayer(input, perMember, k, b)
                : Parameter(weights[i]).bmm(h);                // [K, out, in]·[K, in, B] = [K, out, B]
            if (biases[i] is string bn) h = h.add(Parameter(bn).unsqueeze(2));
            if (i < weights.Length - 1) h = activation.Apply(h);
        }
        return h.transpose(1, 2);                               // [K, B, classes]
    }
}
