using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace Lth.Models;

/// <summary>
/// One training step's forward pass, loss and backward pass of a fully-connected stack, without autograd: the
/// gradient of each member's mean cross-entropy is written straight into the flat gradient buffer. A member's
/// layer i computes <c>Y = act(W·H + b)</c> on feature-major activations [features, Bp] (the batch padded to whole
/// vectors), then backward <c>G = dY·Hᵀ</c> (written, not accumulated), <c>db = Σ_b dY</c> and
/// <c>dH = Wᵀ·dY ⊙ act'</c>, all with <see cref="DenseKernels"/>, or with <see cref="SparseLinear"/>'s kernels for a
/// layer computed over its survivors. Bias and activation are fused into the forward product.
/// <para>Every member runs through the same code, and each product element is one fixed chain of fused multiply-adds
/// (see <see cref="DenseKernels"/>), so a member is bitwise the same alone and in a cohort, and at any thread count:
/// with two threads the members are split between them, each on scratch buffers of its own.</para>
/// <para>It is the same function as the autograd path to float rounding (within 1e-5, tested).</para>
/// </summary>
internal sealed unsafe partial class FcGradients
{
    /// <summary>
    /// Whether this CPU runs the kernels' 512-bit vectors in hardware: AVX-512, as the JIT sees it. This asks for the
    /// instructions, not for <c>Vector512.IsHardwareAccelerated</c>: .NET reports that false on Intel CPUs whose
    /// AVX-512 it does not prefer by default (and under <c>DOTNET_PreferredVectorBitWidth=256</c>), while explicit
    /// Vector512 code still runs on AVX-512 there. Without AVX-512 (or with <c>DOTNET_EnableAVX512=0</c>) LeNet
    /// trains through autograd.
    /// </summary>
    public static bool Supported => System.Runtime.Intrinsics.X86.Avx512F.IsSupported;

    /// <summary>One layer: where its weight and bias blocks start in the flat buffers (bias -1: none), its shape, and whether it is hidden (activated).</summary>
    internal sealed record Layer(long WeightOffset, long BiasOffset, int In, int Out, bool Hidden);

    private readonly Layer[] layers;
    private readonly int members;
    private readonly float slope;
    private readonly int maxFeatures;

    public FcGradients(Layer[] layers, int members, float slope)
    {
        this.layers = layers;
        this.members = members;
        this.slope = slope;
        maxFeatures = layers.Max(l => Math.Max(l.In, l.Out));
        allDense = new LeNet.SparseState?[layers.Length];
    }

    private readonly LeNet.SparseState?[] allDense;

    /// <summary>The output layer's width.</summary>
    internal int Classes => layers[^1].Out;

    /// <summary>
    /// Threads for each large product (DenseKernels' threaded Gemm):
    /// 1 (the default) when members are what threads split, 2 for <see cref="ConvGradients"/>' head of one member
    /// while its other thread would idle. Results do not depend on it.
    /// </summary>
    internal int ProductThreads { get; set; } = 1;

    /// <summary>
    /// The fully-connected head of a larger network (<see cref="ConvGradients"/>): member <paramref name="k"/>'s layers,
    /// all dense, on an input already laid out both ways (feature-major <paramref name="input"/> [In, Bp] with padded
    /// lanes zero, batch-major <paramref name="inputT"/> [B, <paramref name="ldInputT"/>]), on thread
    /// <paramref name="t"/>'s scratch (<see cref="ReserveScratch"/> first). Writes the layers' gradients and the
    /// gradient of the loss with respect to the input, feature-major [In, Bp], into <paramref name="dInput"/>;
    /// returns the member's mean loss.
    /// </summary>
    internal float Head(int k, int t, float* input, float* inputT, long ldInputT, float* weights, float* grad, long* labels, int b, float* dInput) =>
        Member(k, new Shared(input, inputT, ldInputT, weights, grad, labels, b, DenseKernels.Padded(b), dInput), scratch[t], allDense);

    /// <summary>
    /// Writes every member's gradient into <paramref name="grad"/> and returns each member's mean loss over the batch,
    /// the batch being <paramref name="batch"/>'s rows of a float32 image tensor and an int64 label tensor (both contiguous,
    /// on the CPU), gathered here straight into the step's buffers.
    /// Dense layers' gradient blocks are overwritten; a layer with sparse gradients writes its survivors only.
    /// With two threads or more, a cohort whose layers are all dense is split between two threads (a member's
    /// arithmetic does not change); one network, or a pruned cohort, runs on one thread, because the hand-off costs
    /// more than it saves there (splitting one LeNet-300-100's products: 0.94 against 0.69 s per 1,000 steps on a
    /// 2-core AMD EPYC).
    /// </summary>
    public float[] Step(Tensor flat, Tensor grad, BatchRows batch, LeNet.SparseState?[] sparse, int threads)
    {
        int b = batch.Count;
        int bp = DenseKernels.Padded(b);
        int in0 = layers[0].In;
        long rows = batch.Images.shape[0];
        if (b < 1 || batch.Images.numel() != rows * in0 || batch.Labels.numel() != rows)
            throw new ArgumentException($"a batch of {b} rows of [{string.Join(", ", batch.Images.shape)}] images and [{string.Join(", ", batch.Labels.shape)}] labels for {in0} inputs");
        if (KernelChecks.Enabled) CheckLayout(flat, grad);
        // Two threads only where a step is long enough to pay for the hand-off: a cohort with every layer dense. On this
        // 2-core VM, waking a pool thread costs a good part of a short step: a cohort of 5 at 1.15% density stepped at
        // 0.198 s per member per 1,000 steps on two threads against 0.100 on one (dense: 0.461 against 0.538).
        int workers = threads >= 2 && members >= 2 && Array.TrueForAll(sparse, l => l is null) ? 2 : 1;
        Reserve(bp, workers);
        var losses = new float[members];
        float* pw = (float*)DenseKernels.Address(flat), pg = (float*)DenseKernels.Address(grad), images = (float*)DenseKernels.Address(batch.Images);
        long* labels = (long*)DenseKernels.Address(batch.Labels, ScalarType.Int64);
        long* order = batch.Order is null ? null : (long*)DenseKernels.Address(batch.Order, ScalarType.Int64);
        if (order is not null && batch.Offset + b > batch.Order!.numel()) throw new ArgumentException($"rows {batch.Offset}..{batch.Offset + b} of an order of {batch.Order.numel()}");
        // The input, both ways: batch-major [B, Padded(in)] for the first weight gradient, and from it feature-major
        // [in, Bp] (padded lanes zero) for the forward product.
        long ldT = DenseKernels.Padded(in0);
        for (int r = 0; r < b; r++)
        {
            long i = order is null ? batch.Offset + r : order[batch.Offset + r];
            if ((ulong)i >= (ulong)rows) throw new ArgumentException($"example {i} of {rows}");
            new Span<float>(images + i * in0, in0).CopyTo(new Span<float>(inputT + r * ldT, in0));
            batchLabels[r] = labels[i];
        }
        DenseKernels.Transpose(inputT, ldT, b, in0, input, bp);
        var io = new Shared(input, inputT, ldT, pw, pg, batchLabels, b, bp, null);
        if (workers == 1) RunMembers(0, 1, io, sparse, losses);
        else Parallel.For(0, workers, t => RunMembers(t, workers, io, sparse, losses));
        GC.KeepAlive(flat); GC.KeepAlive(grad); GC.KeepAlive(batch.Images); GC.KeepAlive(batch.Labels); GC.KeepAlive(batch.Order);
        return losses;
    }

    /// <summary>With <see cref="KernelChecks"/> on: every layer's blocks lie inside both flat buffers, and the layers chain.</summary>
    private void CheckLayout(Tensor flat, Tensor grad)
    {
        long n = Math.Min(flat.numel(), grad.numel());
        for (int i = 0; i < layers.Length; i++)
        {
            var l = layers[i];
            if (l.WeightOffset < 0 || l.WeightOffset + (long)members * l.Out * l.In > n || (l.BiasOffset >= 0 && l.BiasOffset + (long)members * l.Out > n))
                KernelChecks.Fail("FcGradients.Step", $"layer {i} [{l.Out}, {l.In}] of {members} members at {l.WeightOffset}/{l.BiasOffset} reaches past {n} floats");
            if (i > 0 && l.In != layers[i - 1].Out) KernelChecks.Fail("FcGradients.Step", $"layer {i} takes {l.In} inputs from {layers[i - 1].Out} outputs");
        }
    }

    /// <summary>What every member's step reads: the input both ways, the flat buffers, the labels and the batch size; and where the input's gradient goes (null: nowhere).</summary>
    private readonly struct Shared(float* input, float* inputT, long ldInputT, float* weights, float* grad, long* labels, int b, int bp, float* dInput)
    {
        public readonly float* Input = input, InputT = inputT, Weights = weights, Grad = grad, DInput = dInput;
        public readonly long* Labels = labels;
        public readonly long LdInputT = ldInputT;
        public readonly int B = b, Bp = bp;
    }

    /// <summary>Members t, t + stride, t + 2·stride, … on scratch buffers of their own.</summary>
    private void RunMembers(int t, int stride, Shared io, LeNet.SparseState?[] sparse, float[] losses)
    {
        for (int k = t; k < members; k += stride) losses[k] = Member(k, io, scratch[t], sparse);
    }

    /// <summary>
    /// Member <paramref name="k"/>'s logits [classes, Bp], in thread <paramref name="t"/>'s scratch (valid until its next
    /// use), for a feature-major input [In, Bp] with padded lanes zero: the forward pass alone (evaluation).
    /// </summary>
    internal float* HeadLogits(int k, int t, float* input, float* weights, int b) =>
        ForwardLayers(k, new Shared(input, null, 0, weights, null, null, b, DenseKernels.Padded(b), null), scratch[t], allDense, training: false);

    /// <summary>The forward pass of member k: each layer's output in <paramref name="buf"/>; with <paramref name="training"/>, also the batch-major copies the weight gradients read. Returns the logits [classes, Bp].</summary>
    private float* ForwardLayers(int k, in Shared io, Buffers buf, LeNet.SparseState?[] sparse, bool training)
    {
        int n = layers.Length, b = io.B, bp = io.Bp;
        float* h = io.Input;
        for (int i = 0; i < n; i++)
        {
            var l = layers[i];
            float* w = io.Weights + l.WeightOffset + (long)k * l.Out * l.In;
            float* bias = l.BiasOffset < 0 ? null : io.Weights + l.BiasOffset + (long)k * l.Out;
            float* outp = buf.Activations[i];
            if (sparse[i]?.Index is SparseLinear s)
            {
                s.ForwardMember(k, w, h, outp, bp);
                BiasAndActivation(outp, l.Out, bp, bias, l.Hidden);
            }
            else DenseKernels.Gemm(ProductThreads, l.Out, bp, l.In, w, l.In, 1, h, bp, outp, bp, bias,
                                   l.Hidden ? DenseKernels.Epilogue.Activation : DenseKernels.Epilogue.None, slope);
            // The batch-major copy feeds the next layer's dense weight gradient; a sparse one reads the feature-major output.
            if (training && l.Hidden && sparse[i + 1] is not { Gradients: true }) DenseKernels.Transpose(outp, bp, l.Out, b, buf.ActivationsT[i], DenseKernels.Padded(l.Out));
            h = outp;
        }
        return h;
    }

    private float Member(int k, in Shared io, Buffers buf, LeNet.SparseState?[] sparse)
    {
        int n = layers.Length, b = io.B, bp = io.Bp;
        ForwardLayers(k, io, buf, sparse, training: true);
        float loss = Loss(buf.Activations[n - 1], layers[n - 1].Out, b, bp, io.Labels, buf.Delta[0]);
        float* dy = buf.Delta[0], other = buf.Delta[1];
        for (int i = n - 1; i >= 0; i--)
        {
            var l = layers[i];
            float* w = io.Weights + l.WeightOffset + (long)k * l.Out * l.In;
            float* g = io.Grad + l.WeightOffset + (long)k * l.Out * l.In;
            float* hin = i == 0 ? io.Input : buf.Activations[i - 1];
            float* hinT = i == 0 ? io.InputT : buf.ActivationsT[i - 1];
            long ldT = i == 0 ? io.LdInputT : DenseKernels.Padded(l.In);
            bool sparseGrad = sparse[i] is { Gradients: true };
            if (sparseGrad) sparse[i]!.Index.WeightGradientMember(k, dy, hin, g, bp);
            else DenseKernels.Gemm(ProductThreads, l.Out, l.In, b, dy, bp, 1, hinT, ldT, g, l.In, null, DenseKernels.Epilogue.None, 0f);
            if (l.BiasOffset >= 0) BiasGradient(dy, l.Out, b, bp, io.Grad + l.BiasOffset + (long)k * l.Out);
            if (i == 0 && io.DInput == null) break;
            float* dx = i == 0 ? io.DInput : other;
            if (sparseGrad) sparse[i]!.Index.InputGradientMember(k, w, dy, dx, bp);
            else DenseKernels.Gemm(ProductThreads, l.In, bp, l.Out, w, 1, l.In, dy, bp, dx, bp, null, DenseKernels.Epilogue.None, 0f);
            if (i == 0) break;
            ActivationGradient(other, hin, l.In * bp, slope);
            float* swap = dy; dy = other; other = swap;
        }
        return loss;
    }

    /// <summary>Mean cross-entropy of logits [classes, Bp] (columns b &lt; B) against the labels; writes (softmax − onehot)/B into <paramref name="delta"/> with padded lanes zero.</summary>
    private static float Loss(float* logits, int classes, int b, int bp, long* labels, float* delta)
    {
        double total = 0;
        for (int c = 0; c < classes; c++) new Span<float>(delta + c * bp + b, bp - b).Clear();
        float inv = 1f / b;
        for (int j = 0; j < b; j++)
        {
            float max = float.NegativeInfinity;
            for (int c = 0; c < classes; c++) max = MathF.Max(max, logits[c * bp + j]);
            float sum = 0;
            for (int c = 0; c < classes; c++) sum += delta[c * bp + j] = MathF.Exp(logits[c * bp + j] - max);
            long label = labels[j];
            if ((ulong)label >= (ulong)classes) throw new ArgumentException($"label {label} is not a class of {classes}");
            total += MathF.Log(sum) + max - logits[label * bp + j];
            for (int c = 0; c < classes; c++) delta[c * bp + j] = (delta[c * bp + j] / sum - (c == label ? 1f : 0f)) * inv;
        }
        return (float)(total / b);
    }

    private void BiasAndActivation(float* y, int rows, int bp, float* bias, bool hidden)
    {
        for (int r = 0; r < rows; r++)
        {
            var bv = Vector512.Create(bias is null ? 0f : bias[r]);
            var s = Vector512.Create(slope);
            for (int j = 0; j < bp; j += DenseKernels.Lanes)
            {
                var v = Vector512.Load(y + r * bp + j) + bv;
                if (hidden) v = Vector512.ConditionalSelect(Vector512.GreaterThan(v, Vector512<float>.Zero), v, v * s);
                v.Store(y + r * bp + j);
            }
        }
    }

    /// <summary>g[r] = Σ_b dy[r, b]: whole vectors (the padded lanes of dy are zero), then a fixed tree over the lanes.</summary>
    private static void BiasGradient(float* dy, int rows, int b, int bp, float* g)
    {
        for (int r = 0; r < rows; r++) g[r] = DenseKernels.RowSum(dy + (long)r * bp, bp);
    }

    /// <summary>d ← d ⊙ act'(h), with act'(h) = 1 where h &gt; 0, else the slope (the activation's output decides, as PyTorch's ReLU backward).</summary>
    private static void ActivationGradient(float* d, float* h, int count, float slope)
    {
        var s = Vector512.Create(slope);
        for (int j = 0; j < count; j += DenseKernels.Lanes)
        {
            var hv = Vector512.Load(h + j);
            var dv = Vector512.Load(d + j);
            Vector512.ConditionalSelect(Vector512.GreaterThan(hv, Vector512<float>.Zero), dv, dv * s).Store(d + j);
        }
    }
}
