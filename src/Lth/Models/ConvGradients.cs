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
internal sealed unsafe class ConvGradients
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
        float* images = (float*)Address(batch.Images);
        long* labels = (long*)Address(batch.Labels, ScalarType.Int64);
        long* order = batch.Order is null ? null : (long*)Address(batch.Order, ScalarType.Int64);
        if (order is not null && batch.Offset + b > batch.Order!.numel()) throw new ArgumentException($"rows {batch.Offset}..{batch.Offset + b} of an order of {batch.Order.numel()}");
        for (int r = 0; r < b; r++)
        {
            long i = order is null ? batch.Offset + r : order[batch.Offset + r];
            if ((ulong)i >= (ulong)rows) throw new ArgumentException($"example {i} of {rows}");
            act.Images[r] = (nint)(images + i * imageSize);
            act.Labels[r] = labels[i];
        }
        var io = new Io((float*)Address(flat), (float*)Address(grad), b);
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

    /// <summary>
    /// col[(ch·9 + ky·3 + kx), y·W + x] = X[ch, y + ky − 1, x + kx − 1], zero outside the image and in the padded
    /// columns. X is [In, H·W] with channels <paramref name="ldx"/> apart. Each (ch, ky, kx) row is one block copy
    /// of the rows of X it sees, shifted by kx − 1, with the edge column that the shift wraps zeroed afterwards.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Im2Col(float* x, int ldx, Conv c, float* col)
    {
        int hgt = c.Height, w = c.Width, ld = c.Ld;
        for (int ch = 0; ch < c.In; ch++)
            for (int ky = 0; ky < 3; ky++)
            {
                int y0 = Math.Max(0, 1 - ky), y1 = Math.Min(hgt, hgt + 1 - ky);   // output rows whose input row y + ky − 1 exists
                for (int kx = 0; kx < 3; kx++)
                {
                    float* row = col + (long)(ch * 9 + ky * 3 + kx) * ld;
                    float* src = x + (long)ch * ldx + (long)(y0 + ky - 1) * w;
                    int n = (y1 - y0) * w;
                    new Span<float>(row, y0 * w).Clear();
                    if (kx == 1) new Span<float>(src, n).CopyTo(new Span<float>(row + y0 * w, n));
                    else if (kx == 0)
                    {
                        new Span<float>(src, n - 1).CopyTo(new Span<float>(row + y0 * w + 1, n - 1));
                        for (int y = y0; y < y1; y++) row[y * w] = 0;
                    }
                    else
                    {
                        new Span<float>(src + 1, n - 1).CopyTo(new Span<float>(row + y0 * w, n - 1));
                        for (int y = y0; y < y1; y++) row[y * w + w - 1] = 0;
                    }
                    new Span<float>(row + y1 * w, ld - y1 * w).Clear();
                }
            }
    }

    /// <summary>
    /// dX[ch, iy, ix] = Σ over (ky, kx) of dcol[(ch·9 + ky·3 + kx), (iy − ky + 1)·W + (ix − kx + 1)], in (ky, kx) order:
    /// Im2Col's adjoint. The entries that Im2Col zeroed (they fell outside the image) are zeroed in dcol first, so each
    /// row is again one block addition.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Col2Im(float* dcol, Conv c, float* dx)
    {
        int hgt = c.Height, w = c.Width, ld = c.Ld;
        new Span<float>(dx, c.In * c.Pixels).Clear();
        for (int ch = 0; ch < c.In; ch++)
            for (int ky = 0; ky < 3; ky++)
            {
                int y0 = Math.Max(0, 1 - ky), y1 = Math.Min(hgt, hgt + 1 - ky);
                for (int kx = 0; kx < 3; kx++)
                {
                    float* row = dcol + (long)(ch * 9 + ky * 3 + kx) * ld;
                    float* dst = dx + (long)ch * c.Pixels + (long)(y0 + ky - 1) * w;
                    int n = (y1 - y0) * w;
                    if (kx == 1) AddTo(dst, row + y0 * w, n);
                    else if (kx == 0)
                    {
                        for (int y = y0; y < y1; y++) row[y * w] = 0;
                        AddTo(dst, row + y0 * w + 1, n - 1);
                    }
                    else
                    {
                        for (int y = y0; y < y1; y++) row[y * w + w - 1] = 0;
                        AddTo(dst + 1, row + y0 * w, n - 1);
                    }
                }
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddTo(float* dst, float* src, int n)
    {
        int j = 0;
        for (; j <= n - DenseKernels.Lanes; j += DenseKernels.Lanes) (Vector512.Load(dst + j) + Vector512.Load(src + j)).Store(dst + j);
        for (; j < n; j++) dst[j] += src[j];
    }

    /// <summary>
    /// p[ch, py·(W/2) + px] = the maximum of Y's 2 × 2 window (a NaN wins; padded lanes zero): the two rows' maxima
    /// as vectors, then each pair of columns. Only the sign of a zero can differ from the element
    /// <see cref="ArgMax"/> picks, which changes no sum downstream.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxPool(float* y, Conv c, float* p)
    {
        int pw = c.Width / 2, ph = c.Height / 2, w = c.Width;
        float* rows = stackalloc float[w];
        for (int ch = 0; ch < c.Out; ch++)
        {
            float* src = y + (long)ch * c.Ld, dst = p + (long)ch * c.PooledLd;
            for (int py = 0; py < ph; py++)
            {
                float* r0 = src + 2 * py * w, r1 = r0 + w;
                int x = 0;
                for (; x <= w - DenseKernels.Lanes; x += DenseKernels.Lanes) Vector512.Max(Vector512.Load(r0 + x), Vector512.Load(r1 + x)).Store(rows + x);
                for (; x < w; x++) rows[x] = MathF.Max(r0[x], r1[x]);
                for (int px = 0; px < pw; px++) dst[py * pw + px] = MathF.Max(rows[2 * px], rows[2 * px + 1]);
            }
            new Span<float>(dst + ph * pw, c.PooledLd - ph * pw).Clear();
        }
    }

    /// <summary>The window's first maximum in row-major order (a NaN wins), as PyTorch's max_pool2d picks the element its gradient goes to.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ArgMax(float* src, int w, int py, int px)
    {
        int at = 2 * py * w + 2 * px, best = at;
        if (src[at + 1] > src[best] || float.IsNaN(src[at + 1])) best = at + 1;
        if (src[at + w] > src[best] || float.IsNaN(src[at + w])) best = at + w;
        if (src[at + w + 1] > src[best] || float.IsNaN(src[at + w + 1])) best = at + w + 1;
        return best;
    }

    /// <summary>dZ [Out, Ld] from the gradient g of the layer's output (after its pool; [Out, OutPixels]): through the pool's argmax, then ReLU's Y &gt; 0. Padded lanes zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OutputGradient(float* g, float* y, Conv c, float* dz)
    {
        new Span<float>(dz, c.Out * c.Ld).Clear();
        int n = c.OutPixels, w = c.Width, pw = c.Width / 2;
        for (int ch = 0; ch < c.Out; ch++)
        {
            float* gc = g + (long)ch * n, yc = y + (long)ch * c.Ld, dc = dz + (long)ch * c.Ld;
            if (c.Pool)
            {
                // Only the argmax receives a gradient, so ReLU's mask is needed there alone (one pass over Y, not two).
                for (int py = 0; py < c.Height / 2; py++)
                    for (int px = 0; px < pw; px++)
                    {
                        int at = ArgMax(yc, w, py, px);
                        dc[at] = yc[at] > 0 ? gc[py * pw + px] : 0f;
                    }
                continue;
            }
            new Span<float>(gc, n).CopyTo(new Span<float>(dc, n));
            for (int j = 0; j < c.Ld; j += DenseKernels.Lanes)
            {
                var yv = Vector512.Load(yc + j);
                Vector512.ConditionalSelect(Vector512.GreaterThan(yv, Vector512<float>.Zero), Vector512.Load(dc + j), Vector512<float>.Zero).Store(dc + j);
            }
        }
    }

    /// <summary>sums[o] += Σ over the row's lanes (whole vectors, then a fixed tree).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BiasSum(float* dz, int rows, int ld, float* sums)
    {
        for (int o = 0; o < rows; o++)
        {
            float* row = dz + (long)o * ld;
            var s = Vector512.Load(row);
            for (int j = DenseKernels.Lanes; j < ld; j += DenseKernels.Lanes) s += Vector512.Load(row + j);
            var h = s.GetLower() + s.GetUpper();
            var q = h.GetLower() + h.GetUpper();
            sums[o] += Vector128.Sum(q);
        }
    }

    /// <summary>One thread's scratch: an im2col buffer (also the input gradient's), dZ and its transpose, the gradient passed down.</summary>
    private sealed class Scratch
    {
        public readonly float* Col, Dz, DzT, Dx;
        private readonly float[] arena;

        public Scratch(Conv[] convs)
        {
            long col = convs.Max(c => (long)c.Rows * c.Ld), dz = convs.Max(c => (long)c.Out * c.Ld);
            long dzT = convs.Max(c => (long)c.Pixels * DenseKernels.Padded(c.Out)), dx = convs.Max(c => (long)c.In * c.Pixels);
            arena = GC.AllocateArray<float>(checked((int)(16 * 5 + col + dz + dzT + dx)), pinned: true);
            float* a = Align((float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(arena)));
            Col = a; a = Align(a + col);
            Dz = a; a = Align(a + dz);
            DzT = a; a = Align(a + dzT);
            Dx = a;
        }
    }

    /// <summary>The step's activations for the whole batch (the members run one after another), the head's buffers and the halves' gradient sums.</summary>
    private sealed class Activations
    {
        public readonly float*[] Y, Pooled;
        public readonly float* HeadInput, HeadInputT, HeadGradient, HeadGradientT;
        public readonly float*[][] WeightSums, BiasSums;   // [half][layer]
        public readonly nint[] Images;
        public readonly long* Labels;
        private readonly float[] arena;

        public Activations(Conv[] convs, int features, int b)
        {
            int bp = DenseKernels.Padded(b);
            long ldT = DenseKernels.Padded(features);
            var sizes = new List<long>();
            foreach (var c in convs) { sizes.Add((long)b * c.Out * c.Ld); sizes.Add(c.Pool ? (long)b * c.Out * c.PooledLd : 0); }
            sizes.AddRange([(long)features * bp, b * ldT, (long)features * bp, b * ldT]);
            for (int h = 0; h < 2; h++) foreach (var c in convs) { sizes.Add((long)c.Rows * c.Out); sizes.Add(c.Out); }
            sizes.Add(2L * b);   // the labels: longs, two floats' room each
            arena = GC.AllocateArray<float>(checked((int)(sizes.Sum() + 16L * (sizes.Count + 1))), pinned: true);
            float* a = Align((float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(arena)));
            int s = 0;
            float* Next() { float* p = a; a = Align(a + sizes[s++]); return p; }
            Y = new float*[convs.Length];
            Pooled = new float*[convs.Length];
            for (int i = 0; i < convs.Length; i++) { Y[i] = Next(); Pooled[i] = Next(); }
            HeadInput = Next(); HeadInputT = Next(); HeadGradient = Next(); HeadGradientT = Next();
            WeightSums = new float*[2][];
            BiasSums = new float*[2][];
            for (int h = 0; h < 2; h++)
            {
                WeightSums[h] = new float*[convs.Length];
                BiasSums[h] = new float*[convs.Length];
                for (int i = 0; i < convs.Length; i++) { WeightSums[h][i] = Next(); BiasSums[h][i] = Next(); }
            }
            Labels = (long*)Next();
            Images = new nint[b];
        }
    }

    private Scratch[] scratch = [];
    private Activations act = null!;
    private int capacity;   // the batch the activations are sized for

    private void Reserve(int b, int workers)
    {
        if (scratch.Length < workers) scratch = [.. scratch, .. Enumerable.Range(0, workers - scratch.Length).Select(_ => new Scratch(convs))];
        head.ReserveScratch(DenseKernels.Padded(b), 1);
        if (b <= capacity) return;
        act = new Activations(convs, features, b);
        capacity = b;
    }

    private static float* Align(float* p) => (float*)(((nint)p + 63) & ~(nint)63);

    private static nint Address(Tensor t, ScalarType type = ScalarType.Float32)
    {
        if (t.dtype != type || t.device_type != TorchSharp.DeviceType.CPU || !t.is_contiguous())
            throw new ArgumentException($"ConvGradients needs contiguous {type} CPU tensors, not {t.dtype} on {t.device_type}");
        return (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));
    }
}
