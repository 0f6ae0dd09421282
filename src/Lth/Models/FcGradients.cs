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
/// <para>Members run one after another through the same code, and each product element is one fixed chain of
/// fused multiply-adds (see <see cref="DenseKernels"/>), so a member is bitwise the same alone and in a cohort, and
/// at any thread count: with T threads each product's rows (or columns) are split between them.</para>
/// <para>It is the same function as the autograd path to float rounding (within 1e-5, tested).</para>
/// </summary>
internal sealed unsafe class FcGradients
{
    /// <summary>One layer: its weight and bias blocks in the flat buffers, its shape, and its sparse index while a mask is in use.</summary>
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
    }

    /// <summary>
    /// Writes every member's gradient into <paramref name="grad"/> and returns each member's mean loss over the batch.
    /// <paramref name="input"/>: [B, features…] float32, shared by all members; <paramref name="labels"/>: [B] int64.
    /// Dense layers' gradient blocks are overwritten; a layer with sparse gradients writes its survivors only.
    /// With two threads or more and two members or more, the members are split between two threads (a member's
    /// arithmetic does not change); one network always runs on one thread, because splitting its products measured
    /// slower (0.94 against 0.69 s per 1,000 LeNet-300-100 steps on a 2-core AMD EPYC: the products are too short for
    /// the threads' hand-offs).
    /// </summary>
    public float[] Step(Tensor flat, Tensor grad, Tensor input, Tensor labels, SparseLinear?[] sparse, bool[] sparseGradients, int threads)
    {
        using var x = input.contiguous();
        using var y = labels.to(ScalarType.Int64).contiguous();
        int b = (int)x.shape[0];
        int bp = DenseKernels.Padded(b);
        int in0 = layers[0].In;
        if (x.numel() != (long)b * in0) throw new ArgumentException($"input of {x.numel()} values is not {b} × {in0}");
        int workers = threads >= 2 && members >= 2 ? 2 : 1;
        Reserve(bp, workers);
        var losses = new float[members];
        float* px = (float*)Address(x), pw = (float*)Address(flat), pg = (float*)Address(grad);
        long* py = (long*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(y.bytes));
        fixed (float* sharedBase = shared)
        {
            // The input, both ways: feature-major [in, Bp] (padded lanes zero) for the forward product, batch-major
            // [B, in] for the first weight gradient (the input itself when its rows are whole vectors).
            float* input0 = Align(sharedBase);
            Transpose(px, b, in0, in0, input0, bp);
            float* inputT = px;
            long ldInputT = in0;
            if (in0 % DenseKernels.Lanes != 0)
            {
                inputT = input0 + (long)in0 * bp;
                ldInputT = DenseKernels.Padded(in0);
                for (int r = 0; r < b; r++) new Span<float>(px + (long)r * in0, in0).CopyTo(new Span<float>(inputT + r * ldInputT, in0));
            }
            var io = new Shared(input0, inputT, ldInputT, pw, pg, py, b, bp);
            if (workers == 1) RunMembers(0, 1, io, sparse, sparseGradients, losses);
            else Parallel.For(0, workers, t => RunMembers(t, workers, io, sparse, sparseGradients, losses));
        }
        GC.KeepAlive(flat); GC.KeepAlive(grad);
        return losses;
    }

    /// <summary>What every member's step reads: the input both ways, the flat buffers, the labels and the batch size.</summary>
    private readonly struct Shared(float* input, float* inputT, long ldInputT, float* weights, float* grad, long* labels, int b, int bp)
    {
        public readonly float* Input = input, InputT = inputT, Weights = weights, Grad = grad;
        public readonly long* Labels = labels;
        public readonly long LdInputT = ldInputT;
        public readonly int B = b, Bp = bp;
    }

    /// <summary>Members t, t + stride, t + 2·stride, … on scratch buffers of their own.</summary>
    private void RunMembers(int t, int stride, Shared io, SparseLinear?[] sparse, bool[] sparseGradients, float[] losses)
    {
        fixed (float* arenaBase = scratch[t])
        {
            var buf = new Buffers(Align(arenaBase), layers, io.Bp, maxFeatures);
            for (int k = t; k < members; k += stride) losses[k] = Member(k, io, buf, sparse, sparseGradients);
        }
    }

    private float Member(int k, in Shared io, in Buffers buf, SparseLinear?[] sparse, bool[] sparseGradients)
    {
        int n = layers.Length, b = io.B, bp = io.Bp;
        float* h = io.Input;
        for (int i = 0; i < n; i++)
        {
            var l = layers[i];
            float* w = io.Weights + l.WeightOffset + (long)k * l.Out * l.In;
            float* bias = l.BiasOffset < 0 ? null : io.Weights + l.BiasOffset + (long)k * l.Out;
            float* outp = buf.Activations[i];
            if (sparse[i] is SparseLinear s)
            {
                s.ForwardMember(k, w, h, outp, bp);
                BiasAndActivation(outp, l.Out, bp, bias, l.Hidden);
            }
            else DenseKernels.Gemm(0, l.Out, 0, bp, l.In, w, l.In, 1, h, bp, outp, bp, bias,
                                   l.Hidden ? DenseKernels.Epilogue.Activation : DenseKernels.Epilogue.None, slope);
            if (l.Hidden) Transpose(outp, l.Out, bp, bp, buf.ActivationsT[i], -1, b);
            h = outp;
        }
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
            bool sparseGrad = sparse[i] is not null && sparseGradients[i];
            if (sparseGrad) sparse[i]!.WeightGradientMember(k, dy, hin, g, bp);
            else DenseKernels.Gemm(0, l.Out, 0, l.In, b, dy, bp, 1, hinT, ldT, g, l.In, null, DenseKernels.Epilogue.None, 0f);
            if (l.BiasOffset >= 0) BiasGradient(dy, l.Out, b, bp, io.Grad + l.BiasOffset + (long)k * l.Out);
            if (i == 0) break;
            if (sparseGrad) sparse[i]!.InputGradientMember(k, w, dy, other, bp);
            else DenseKernels.Gemm(0, l.In, 0, bp, l.Out, w, 1, l.In, dy, bp, other, bp, null, DenseKernels.Epilogue.None, 0f);
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
            for (int c = 0; c < classes; c++) sum += MathF.Exp(logits[c * bp + j] - max);
            long label = labels[j];
            if ((ulong)label >= (ulong)classes) throw new ArgumentException($"label {label} is not a class of {classes}");
            float logSum = MathF.Log(sum);
            total += logSum + max - logits[label * bp + j];
            for (int c = 0; c < classes; c++)
            {
                float p = MathF.Exp(logits[c * bp + j] - max) / sum;
                delta[c * bp + j] = (p - (c == label ? 1f : 0f)) * inv;
            }
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

    private static void BiasGradient(float* dy, int rows, int b, int bp, float* g)
    {
        for (int r = 0; r < rows; r++)
        {
            float s = 0;
            for (int j = 0; j < b; j++) s += dy[r * bp + j];
            g[r] = s;
        }
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

    /// <summary>dst[c, r] = src[r, c] for r &lt; rows, c &lt; cols (row strides lds, ldd; ldd = -1: rows·… as [cols, ldd=Padded(rows)]). Columns of dst past <paramref name="rows"/> up to ldd are zeroed.</summary>
    private static void Transpose(float* src, int rows, int cols, long lds, float* dst, long ldd, int? takeCols = null)
    {
        // Called as Transpose(x [B, in], B, in, in, X [in, Bp], Bp): dst[c, r] = src[r, c] (feature-major input), or as
        // Transpose(Y [out, Bp], out, Bp, Bp, Yᵀ, -1, B): the first B columns of Y into Yᵀ [B, Padded(out)].
        int cTake = takeCols ?? cols;
        if (ldd < 0) ldd = DenseKernels.Padded(rows);
        int zeroFrom = rows;
        const int Blk = 16;
        for (int r0 = 0; r0 < rows; r0 += Blk)
            for (int c0 = 0; c0 < cTake; c0 += Blk)
            {
                int r1 = Math.Min(rows, r0 + Blk), c1 = Math.Min(cTake, c0 + Blk);
                for (int c = c0; c < c1; c++)
                    for (int r = r0; r < r1; r++) dst[c * ldd + r] = src[r * lds + c];
            }
        for (int c = 0; c < cTake; c++) new Span<float>(dst + c * ldd + zeroFrom, (int)(ldd - zeroFrom)).Clear();
    }

    /// <summary>One thread's scratch, carved out of one pinned array: each layer's output and its transpose, two gradient buffers.</summary>
    private readonly struct Buffers
    {
        public readonly float*[] Activations, ActivationsT, Delta;

        public Buffers(float* a, Layer[] layers, int bp, int maxFeatures)
        {
            Activations = new float*[layers.Length];
            ActivationsT = new float*[layers.Length];
            for (int i = 0; i < layers.Length; i++)
            {
                Activations[i] = a; a += (long)layers[i].Out * bp;
                ActivationsT[i] = a; a += (long)bp * DenseKernels.Padded(layers[i].Out);
            }
            Delta = [a, a + (long)maxFeatures * bp];
        }
    }

    private float[] shared = [];        // the input, feature-major, and a padded batch-major copy when its rows are not whole vectors
    private float[][] scratch = [];     // per thread: see Buffers
    private int capacity;               // the padded batch the buffers are sized for

    private void Reserve(int bp, int workers)
    {
        if (bp <= capacity && scratch.Length >= workers) return;
        bp = Math.Max(bp, capacity);
        long input = 16 + (long)layers[0].In * bp + (long)bp * DenseKernels.Padded(layers[0].In);
        long need = 16 + 2L * maxFeatures * bp;
        foreach (var l in layers) need += (long)l.Out * bp + (long)bp * DenseKernels.Padded(l.Out);
        shared = GC.AllocateArray<float>(checked((int)input), pinned: true);
        scratch = Enumerable.Range(0, Math.Max(workers, scratch.Length)).Select(_ => GC.AllocateArray<float>(checked((int)need), pinned: true)).ToArray();
        capacity = bp;
    }

    private static float* Align(float* p) => (float*)(((nint)p + 63) & ~(nint)63);

    private static nint Address(Tensor t)
    {
        if (t.dtype != ScalarType.Float32 || t.device_type != TorchSharp.DeviceType.CPU || !t.is_contiguous())
            throw new ArgumentException("FcGradients needs contiguous float32 CPU tensors");
        return (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));
    }
}
