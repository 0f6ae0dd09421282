using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace Lth.Models;

/// <summary>
/// One training step of a <see cref="ConvNet"/> without autograd: each 3 × 3 convolution (padding 1) is an im2col
/// product on <see cref="DenseKernels"/> with bias and ReLU fused into it, 2 × 2 max pooling follows every second
/// one, and the fully-connected head runs through <see cref="FcGradients.Head"/>. Every gradient is written straight
/// into the flat gradient buffer. Per image and layer:
/// <list type="bullet">
/// <item>forward: <c>col = im2col(X)</c> [In·9, HW], <c>Y = relu(W·col + b)</c> [Out, HW], then the pool;</item>
/// <item>backward: <c>dZ</c> from the pool's argmax (the first maximum of its window, as PyTorch) and
/// <c>Y &gt; 0</c>; <c>dWᵀ += col·dZᵀ</c>, <c>db += Σ dZ</c>; and, below the top layer,
/// <c>dX = col2im(Wᵀ·dZ)</c>.</item>
/// </list>
/// <para>The batch is split into two fixed halves, each summing its own weight gradient; the gradient is their sum.
/// With two threads each half runs on one, with one thread they run in turn: the same operations on the same data,
/// so a member's result is bitwise the same at one thread or two, alone or in a cohort (members run one after
/// another). It is the autograd path's function to float rounding (tested within 1e-5).</para>
/// </summary>
internal sealed unsafe partial class ConvGradients
{
    /// <summary>
    /// One convolution: where its weight [Out, In, 3, 3] and bias blocks start in the flat buffers, its input's
    /// channels and size (the output has the same size), its output channels, and whether a 2 × 2 max pool follows.
    /// </summary>
    internal sealed record Conv(long WeightOffset, long BiasOffset, int In, int Out, int Height, int Width, bool Pool)
    {
        public int Pixels => Height * Width;
        public int Ld => DenseKernels.Padded(Pixels);                 // an output row: the pixels, padded to whole vectors
        public int Rows => In * 9;                                   // im2col rows
        public int PooledPixels => Height / 2 * (Width / 2);
        public int PooledLd => DenseKernels.Padded(PooledPixels);
        public int OutPixels => Pool ? PooledPixels : Pixels;        // what the next layer (or the head) sees per channel
    }

    private readonly Conv[] convs;
    private readonly FcGradients head;
    private readonly int members, features, imageSize;

    public ConvGradients(Conv[] convs, FcGradients.Layer[] fcs, int members)
    {
        for (int i = 1; i < convs.Length; i++)
            if (convs[i].In != convs[i - 1].Out || convs[i].Pixels != convs[i - 1].OutPixels)
                throw new ArgumentException($"conv{i + 1} takes {convs[i].In}×{convs[i].Height}×{convs[i].Width} from {convs[i - 1].Out} channels of {convs[i - 1].OutPixels} pixels");
        this.convs = convs;
        this.members = members;
        features = convs[^1].Out * convs[^1].OutPixels;
        if (fcs[0].In != features) throw new ArgumentException($"fc1 takes {fcs[0].In} features, the convolutions give {features}");
        imageSize = convs[0].In * convs[0].Pixels;
        head = new FcGradients(fcs, members, 0f);
    }

    /// <summary>
    /// Writes every member's gradient into <paramref name="grad"/> (every convolution's and the head's blocks are
    /// overwritten) and returns each member's mean loss over the batch: <paramref name="batch"/>'s rows of a float32
    /// [N, C, H, W] image tensor and an int64 label tensor, read where they lie. With two threads or more, each half
    /// of the batch runs on its own thread.
    /// </summary>
    public float[] Step(Tensor flat, Tensor grad, BatchRows batch, int threads)
    {
        int b = batch.Count;
        long rows = batch.Images.shape[0];
        if (b < 1 || batch.Images.numel() != rows * imageSize || batch.Labels.numel() != rows)
            throw new ArgumentException($"a batch of {b} rows of [{string.Join(", ", batch.Images.shape)}] images and [{string.Join(", ", batch.Labels.shape)}] labels for {imageSize} inputs");
        int workers = threads >= 2 && b >= 2 ? 2 : 1;
        Reserve(b, workers);
        float* images = (float*)DenseKernels.Address(batch.Images);
        long* labels = (long*)DenseKernels.Address(batch.Labels, ScalarType.Int64);
        long* order = batch.Order is null ? null : (long*)DenseKernels.Address(batch.Order, ScalarType.Int64);
        if (order is not null && batch.Offset + b > batch.Order!.numel()) throw new ArgumentException($"rows {batch.Offset}..{batch.Offset + b} of an order of {batch.Order.numel()}");
        for (int r = 0; r < b; r++)
        {
            long i = order is null ? batch.Offset + r : order[batch.Offset + r];
            if ((ulong)i >= (ulong)rows) throw new ArgumentException($"example {i} of {rows}");
            act.Images[r] = (nint)(images + i * imageSize);
            act.Labels[r] = labels[i];
        }
        var io = new Io((float*)DenseKernels.Address(flat), (float*)DenseKernels.Address(grad), b);
        var losses = new float[members];
        for (int k = 0; k < members; k++)
        {
            Halves(workers, h => ForwardHalf(k, h, io, scratch[workers == 2 ? h : 0]));
            losses[k] = Head(k, io, workers);
            Halves(workers, h => BackwardHalf(k, h, io, scratch[workers == 2 ? h : 0]));
            Combine(k, io);
        }
        GC.KeepAlive(flat); GC.KeepAlive(grad); GC.KeepAlive(batch.Images); GC.KeepAlive(batch.Labels); GC.KeepAlive(batch.Order);
        return losses;
    }

    /// <summary>
    /// Every member's logits for <paramref name="images"/> (a contiguous float32 [b, C, H, W] tensor) into
    /// <paramref name="output"/> [K, b, classes]: the step's forward pass alone, for evaluation. Bitwise the same at
    /// any thread count, as the step.
    /// </summary>
    public void Logits(Tensor flat, Tensor images, float* output, int threads)
    {
        int b = (int)images.shape[0];
        if (b < 1 || images.numel() != (long)b * imageSize) throw new ArgumentException($"[{string.Join(", ", images.shape)}] images for {imageSize} inputs");
        int workers = threads >= 2 && b >= 2 ? 2 : 1;
        Reserve(b, workers);
        float* px = (float*)DenseKernels.Address(images);
        for (int r = 0; r < b; r++) act.Images[r] = (nint)(px + (long)r * imageSize);
        var io = new Io((float*)DenseKernels.Address(flat), null, b);
        int bp = DenseKernels.Padded(b), classes = head.Classes;
        long ldT = DenseKernels.Padded(features);
        head.ProductThreads = workers;
        for (int k = 0; k < members; k++)
        {
            Halves(workers, h => ForwardHalf(k, h, io, scratch[workers == 2 ? h : 0]));
            DenseKernels.Transpose(act.HeadInputT, ldT, b, features, act.HeadInput, bp);
            float* logits = head.HeadLogits(k, 0, act.HeadInput, io.Weights, b);
            for (int r = 0; r < b; r++)
                for (int c = 0; c < classes; c++) output[((long)k * b + r) * classes + c] = logits[(long)c * bp + r];
        }
        GC.KeepAlive(flat); GC.KeepAlive(images);
    }

    private static void Halves(int workers, Action<int> half)
    {
        if (workers == 1) { half(0); half(1); }
        else Parallel.For(0, 2, half);
    }

    /// <summary>The flat buffers and the batch size.</summary>
    private readonly struct Io(float* weights, float* grad, int b)
    {
        public readonly float* Weights = weights, Grad = grad;
        public readonly int B = b;
        public (int From, int To) Half(int h) => h == 0 ? (0, (B + 1) / 2) : ((B + 1) / 2, B);
    }

    private float* Input(int i, int r, out int ld)
    {
        if (i == 0) { ld = convs[0].Pixels; return (float*)act.Images[r]; }
        var p = convs[i - 1];
        ld = p.Pool ? p.PooledLd : p.Ld;
        return p.Pool ? act.Pooled[i - 1] + (long)r * p.Out * p.PooledLd : act.Y[i - 1] + (long)r * p.Out * p.Ld;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // long-running from the first step: skip the JIT's slow first tiers
    private void ForwardHalf(int k, int h, in Io io, Scratch s)
    {
        var (from, to) = io.Half(h);
        var last = convs[^1];
        long ldT = DenseKernels.Padded(features);
        for (int r = from; r < to; r++)
        {
            for (int i = 0; i < convs.Length; i++)
            {
                var c = convs[i];
                float* x = Input(i, r, out int ldx);
                Im2Col(x, ldx, c, s.Col);
                float* y = act.Y[i] + (long)r * c.Out * c.Ld;
                DenseKernels.Gemm(0, c.Out, 0, c.Ld, c.Rows, io.Weights + c.WeightOffset + (long)k * c.Out * c.Rows, c.Rows, 1, s.Col, c.Ld,
                                  y, c.Ld, io.Weights + c.BiasOffset + (long)k * c.Out, DenseKernels.Epilogue.Activation, 0f);
                if (c.Pool) MaxPool(y, c, act.Pooled[i] + (long)r * c.Out * c.PooledLd);
            }
            // The head's batch-major input row: the top layer's output in PyTorch's flatten order (channel, then pixel).
            float* src = last.Pool ? act.Pooled[^1] + (long)r * last.Out * last.PooledLd : act.Y[^1] + (long)r * last.Out * last.Ld;
            int lds = last.Pool ? last.PooledLd : last.Ld, n = last.OutPixels;
            for (int ch = 0; ch < last.Out; ch++) new Span<float>(src + (long)ch * lds, n).CopyTo(new Span<float>(act.HeadInputT + r * ldT + (long)ch * n, n));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // long-running from the first step: skip the JIT's slow first tiers
    private float Head(int k, in Io io, int workers)
    {
        int b = io.B, bp = DenseKernels.Padded(b);
        long ldT = DenseKernels.Padded(features);
        DenseKernels.Transpose(act.HeadInputT, ldT, b, features, act.HeadInput, bp);
        head.ProductThreads = workers;
        float loss = head.Head(k, 0, act.HeadInput, act.HeadInputT, ldT, io.Weights, io.Grad, act.Labels, b, act.HeadGradient);
        DenseKernels.Transpose(act.HeadGradient, bp, features, b, act.HeadGradientT, ldT);
        return loss;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // long-running from the first step: skip the JIT's slow first tiers
    private void BackwardHalf(int k, int h, in Io io, Scratch s)
    {
        var (from, to) = io.Half(h);
        for (int i = 0; i < convs.Length; i++)
        {
            new Span<float>(act.WeightSums[h][i], convs[i].Rows * convs[i].Out).Clear();
            new Span<float>(act.BiasSums[h][i], convs[i].Out).Clear();
        }
        long ldT = DenseKernels.Padded(features);
        for (int r = from; r < to; r++)
        {
            float* g = act.HeadGradientT + r * ldT;   // the gradient of the top layer's output, [Out, OutPixels]
            for (int i = convs.Length - 1; i >= 0; i--)
            {
                var c = convs[i];
                float* y = act.Y[i] + (long)r * c.Out * c.Ld;
                OutputGradient(g, y, c, s.Dz);
                BiasSum(s.Dz, c.Out, c.Ld, act.BiasSums[h][i]);
                float* x = Input(i, r, out int ldx);
                Im2Col(x, ldx, c, s.Col);
                int ldz = DenseKernels.Padded(c.Out);
                DenseKernels.Transpose(s.Dz, c.Ld, c.Out, c.Pixels, s.DzT, ldz);
                DenseKernels.Gemm(0, c.Rows, 0, c.Out, c.Pixels, s.Col, c.Ld, 1, s.DzT, ldz, act.WeightSums[h][i], c.Out, null, DenseKernels.Epilogue.None, 0f, accumulate: true);
                if (i == 0) break;
                DenseKernels.Gemm(0, c.Rows, 0, c.Ld, c.Out, io.Weights + c.WeightOffset + (long)k * c.Out * c.Rows, 1, c.Rows, s.Dz, c.Ld,
                                  s.Col, c.Ld, null, DenseKernels.Epilogue.None, 0f);
                Col2Im(s.Col, c, s.Dx);
                g = s.Dx;
            }
        }
    }

    /// <summary>Member k's convolution gradients: the halves' sums, half 0 + half 1, transposed into [Out, In·9].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // long-running from the first step: skip the JIT's slow first tiers
    private void Combine(int k, in Io io)
    {
        for (int i = 0; i < convs.Length; i++)
        {
            var c = convs[i];
            float* a = act.WeightSums[0][i], b = act.WeightSums[1][i];
            float* gw = io.Grad + c.WeightOffset + (long)k * c.Out * c.Rows;
            for (int o = 0; o < c.Out; o++)
                for (int m = 0; m < c.Rows; m++) gw[(long)o * c.Rows + m] = a[(long)m * c.Out + o] + b[(long)m * c.Out + o];
            float* gb = io.Grad + c.BiasOffset + (long)k * c.Out;
            for (int o = 0; o < c.Out; o++) gb[o] = act.BiasSums[0][i][o] + act.BiasSums[1][i][o];
        }
    }

}
