using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace Lth.Models;

/// <summary>
/// A pruned fully-connected layer computed over its surviving weights only, for every member of a
/// cohort: the work is proportional to the density, where a dense GEMM always does all of it. The
/// surviving positions are indexed once per level (row pointers and column indices, as CSR) from the
/// mask; the weight values are read in place from the flat parameter buffer, so the index stays valid
/// while the weights train.
/// <para>Layout: activations are feature-major with the batch padded to a multiple of 16 floats,
/// x [in, Bp] and y [out, Bp] per member, so that each surviving weight costs Bp/16 vector
/// fused multiply-adds. The input columns are walked in blocks of 128 (32 KiB of x at batch 64, kept in
/// L1 while every output row uses it; unblocked, the kernel was bound by L2 bandwidth and 1.5× slower).
/// Forward computes y[o, :] = Σ_{i alive in row o} W[o, i] · x[i, :] in ascending i; the weight gradient
/// is computed for surviving weights only, g[o, i] = Σ_b dy[o, b] · x[i, b] (pruned weights are masked
/// after every step, so their gradient is never used). Each output element is computed in a fixed order
/// that depends on neither the thread count nor the cohort size K: members are bitwise equal to solo
/// runs. Against a dense GEMM they differ by float reassociation (tested within 1e-5 relative).</para>
/// </summary>
public sealed partial class SparseLinear
{
    /// <summary>Lanes per vector: the batch is padded to a multiple of this.</summary>
    public const int Lanes = 16;

    /// <summary>Input features per column block: 128 rows of 64 batch lanes (32 KiB) stay in L1 while every output row uses them.</summary>
    private const int DefaultBlockColumns = 128;

    /// <summary>
    /// Below this density a row is not split into column blocks: with a handful of survivors per block, loading and
    /// storing the row's accumulators per block cost more than the survivors' arithmetic (at IMP level 20, 1.2%, the
    /// blocked forward took 37 µs per member-step of LeNet-300-100 on a 2-core AMD EPYC). Blocking never changes a result: each sum still runs
    /// over its row's survivors in ascending order.
    /// </summary>
    public const double UnblockedBelow = 0.04;

    private readonly int members, outFeatures, inFeatures, blocks, BlockColumns;
    private readonly int[][] starts;     // per member: for row o and column block c, the first survivor at starts[o·blocks + c]; one extra end entry
    private readonly int[][] cols;       // per member: surviving column indices, row by row, ascending

    /// <param name="mask">The layer's mask of all members, [K, out, in] (any float tensor on the CPU; nonzero = alive).</param>
    public SparseLinear(Tensor mask)
    {
        if (mask.dim() != 3) throw new ArgumentException("mask must be [K, out, in]");
        members = (int)mask.shape[0]; outFeatures = (int)mask.shape[1]; inFeatures = (int)mask.shape[2];
        using var m = mask.to(ScalarType.Float32).cpu().contiguous();
        var all = m.data<float>().ToArray();
        BlockColumns = all.Count(v => v != 0) < UnblockedBelow * all.Length ? Math.Max(1, inFeatures) : DefaultBlockColumns;
        blocks = (inFeatures + BlockColumns - 1) / BlockColumns;
        starts = new int[members][];
        cols = new int[members][];
        long alive = 0;
        for (int k = 0; k < members; k++)
        {
            var st = new int[outFeatures * blocks + 1];
            var list = new List<int>();
            int baseK = k * outFeatures * inFeatures;
            for (int o = 0; o < outFeatures; o++)
                for (int c = 0; c < blocks; c++)
                {
                    st[o * blocks + c] = list.Count;
                    for (int i = c * BlockColumns; i < Math.Min(inFeatures, (c + 1) * BlockColumns); i++)
                        if (all[baseK + o * inFeatures + i] != 0) list.Add(i);
                }
            st[outFeatures * blocks] = list.Count;
            starts[k] = st;
            cols[k] = list.ToArray();
            alive += list.Count;
        }
        Density = alive / (double)((long)members * outFeatures * inFeatures);
    }

    /// <summary>Surviving weights / all weights, over all members.</summary>
    public double Density { get; }

    /// <summary>The batch size rounded up to whole vectors.</summary>
    public static int Padded(long batch) => (int)((batch + Lanes - 1) / Lanes * Lanes);

    /// <summary>
    /// y[k] = W[k] · x for every member. <paramref name="weight"/> is [K, out, in] contiguous;
    /// <paramref name="x"/> is [in, Bp] (shared) or [K, in, Bp]; <paramref name="y"/> is [K, out, Bp] and is overwritten.
    /// Row o's sum runs over its survivors in ascending column order, 64 batch lanes at a time.
    /// </summary>
    public unsafe void Forward(Tensor weight, Tensor x, Tensor y)
    {
        int bp = CheckShapes(weight, x, y, outFeatures);
        if (KernelChecks.Enabled) CheckKernel(nameof(Forward), weight, x, y, bp);
        bool shared = x.dim() == 2;
        float* w = (float*)DenseKernels.Address(weight), px = (float*)DenseKernels.Address(x), py = (float*)DenseKernels.Address(y);
        for (int k = 0; k < members; k++)
            ForwardMember(k, w + (long)k * outFeatures * inFeatures, px + (shared ? 0 : (long)k * inFeatures * bp), py + (long)k * outFeatures * bp, bp);
        KeepAlive(weight, x, y);
    }

    /// <summary><see cref="Forward"/> for member <paramref name="k"/>: its weights [out, in], input [in, Bp] and output [out, Bp].</summary>
    internal unsafe void ForwardMember(int k, float* wk, float* xk, float* yk, int bp)
    {
        fixed (int* pc = cols[k], ps = starts[k])
            for (int b = 0; b < bp; b += 4 * Lanes)
            {
                int lanes = Math.Min(4 * Lanes, bp - b);
                for (int c = 0; c < blocks; c++)
                    for (int o = 0; o < outFeatures; o++)
                    {
                        int s = ps[o * blocks + c], e = ps[o * blocks + c + 1];
                        ForwardRow(wk + (long)o * inFeatures, pc + s, e - s, xk + b, yk + (long)o * bp + b, bp, lanes, c == 0);
                    }
            }
    }

    /// <summary>
    /// g[k][o, i] = Σ_b dy[k][o, b] · x[k][i, b] at the surviving (o, i) of every member, written into
    /// <paramref name="grad"/> ([K, out, in], pruned positions untouched). Padded batch lanes must be zero in dy or x.
    /// </summary>
    public unsafe void WeightGradient(Tensor dy, Tensor x, Tensor grad)
    {
        int bp = CheckShapes(grad, x, dy, outFeatures);
        if (KernelChecks.Enabled) CheckKernel(nameof(WeightGradient), grad, x, dy, bp);
        bool shared = x.dim() == 2;
        float* pg = (float*)DenseKernels.Address(grad), px = (float*)DenseKernels.Address(x), pd = (float*)DenseKernels.Address(dy);
        for (int k = 0; k < members; k++)
            WeightGradientMember(k, pd + (long)k * outFeatures * bp, px + (shared ? 0 : (long)k * inFeatures * bp), pg + (long)k * outFeatures * inFeatures, bp);
        KeepAlive(dy, x, grad);
    }

    /// <summary><see cref="WeightGradient"/> for member <paramref name="k"/>: its output gradient [out, Bp], input [in, Bp] and weight gradient [out, in].</summary>
    internal unsafe void WeightGradientMember(int k, float* dyk, float* xk, float* gk, int bp)
    {
        fixed (int* pc = cols[k], ps = starts[k])
            for (int c = 0; c < blocks; c++)
                for (int o = 0; o < outFeatures; o++)
                {
                    int s = ps[o * blocks + c], e = ps[o * blocks + c + 1];
                    GradientRow(dyk + (long)o * bp, pc + s, e - s, xk, gk + (long)o * inFeatures, bp);
                }
    }

    /// <summary>
    /// dx[k][i, :] = Σ_o W[k][o, i] · dy[k][o, :] over the surviving (o, i), the gradient of the layer's
    /// input: <paramref name="dy"/> is [K, out, Bp], <paramref name="dx"/> [K, in, Bp] and is overwritten.
    /// Each dx row sums over o in ascending order.
    /// </summary>
    public unsafe void InputGradient(Tensor weight, Tensor dy, Tensor dx)
    {
        int bp = CheckShapes(weight, dx, dy, outFeatures);
        if (KernelChecks.Enabled) CheckKernel(nameof(InputGradient), weight, dx, dy, bp);
        if (dx.dim() != 3) throw new ArgumentException($"SparseLinear: the input gradient must be [K, {inFeatures}, Bp]");
        float* w = (float*)DenseKernels.Address(weight), pd = (float*)DenseKernels.Address(dy), px = (float*)DenseKernels.Address(dx);
        for (int k = 0; k < members; k++)
            InputGradientMember(k, w + (long)k * outFeatures * inFeatures, pd + (long)k * outFeatures * bp, px + (long)k * inFeatures * bp, bp);
        KeepAlive(weight, dy, dx);
    }

    /// <summary><see cref="InputGradient"/> for member <paramref name="k"/>: its weights [out, in], output gradient [out, Bp] and input gradient [in, Bp] (overwritten).</summary>
    internal unsafe void InputGradientMember(int k, float* wk, float* dk, float* xk, int bp)
    {
        new Span<float>(xk, checked(inFeatures * bp)).Clear();
        fixed (int* pc = cols[k], ps = starts[k])
            for (int b = 0; b < bp; b += 4 * Lanes)
            {
                int lanes = Math.Min(4 * Lanes, bp - b);
                for (int c = 0; c < blocks; c++)
                    for (int o = 0; o < outFeatures; o++)
                    {
                        int s = ps[o * blocks + c], e = ps[o * blocks + c + 1];
                        ScatterRow(wk + (long)o * inFeatures, pc + s, e - s, dk + (long)o * bp + b, xk + b, bp, lanes);
                    }
            }
    }

    /// <summary>dx[c[j], 0..lanes) += w[c[j]] · dy[0..lanes) for one row's survivors in one column block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ScatterRow(float* wRow, int* c, int n, float* dy, float* dx, int bp, int lanes)
    {
        if (n == 0) return;
        if (lanes == 4 * Lanes)
        {
            var d0 = Vector512.Load(dy); var d1 = Vector512.Load(dy + Lanes);
            var d2 = Vector512.Load(dy + 2 * Lanes); var d3 = Vector512.Load(dy + 3 * Lanes);
            for (int j = 0; j < n; j++)
            {
                int i = c[j];
                var w = Vector512.Create(wRow[i]);
                float* xi = dx + (long)i * bp;
                Vector512.FusedMultiplyAdd(w, d0, Vector512.Load(xi)).Store(xi);
                Vector512.FusedMultiplyAdd(w, d1, Vector512.Load(xi + Lanes)).Store(xi + Lanes);
                Vector512.FusedMultiplyAdd(w, d2, Vector512.Load(xi + 2 * Lanes)).Store(xi + 2 * Lanes);
                Vector512.FusedMultiplyAdd(w, d3, Vector512.Load(xi + 3 * Lanes)).Store(xi + 3 * Lanes);
            }
            return;
        }
        for (int v = 0; v < lanes; v += Lanes)
        {
            var d = Vector512.Load(dy + v);
            for (int j = 0; j < n; j++)
            {
                int i = c[j];
                float* xi = dx + (long)i * bp + v;
                Vector512.FusedMultiplyAdd(Vector512.Create(wRow[i]), d, Vector512.Load(xi)).Store(xi);
            }
        }
    }

    /// <summary>
    /// Keeps the tensors a kernel works on (and so their native memory) reachable until the kernel's last write. The
    /// kernels hold only raw pointers: without this, the GC may finalize a temporary passed in (say <c>w.detach()</c>,
    /// or a buffer its caller no longer uses) while the kernel still reads it, and free its memory mid-kernel.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void KeepAlive(Tensor a, Tensor b, Tensor c) { GC.KeepAlive(a); GC.KeepAlive(b); GC.KeepAlive(c); }


    /// <summary>y[0..lanes) (+)= Σ_j w[c[j]] · x[c[j], 0..lanes) for one row and one column block; starts from zero when <paramref name="first"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ForwardRow(float* wRow, int* c, int n, float* x, float* y, int bp, int lanes, bool first)
    {
        if (lanes == 4 * Lanes)
        {
            Vector512<float> a0, a1, a2, a3;
            if (first) { a0 = Vector512<float>.Zero; a1 = a0; a2 = a0; a3 = a0; }
            else { a0 = Vector512.Load(y); a1 = Vector512.Load(y + Lanes); a2 = Vector512.Load(y + 2 * Lanes); a3 = Vector512.Load(y + 3 * Lanes); }
            for (int j = 0; j < n; j++)
            {
                int i = c[j];
                var w = Vector512.Create(wRow[i]);
                float* xi = x + (long)i * bp;
                a0 = Vector512.FusedMultiplyAdd(w, Vector512.Load(xi), a0);
                a1 = Vector512.FusedMultiplyAdd(w, Vector512.Load(xi + Lanes), a1);
                a2 = Vector512.FusedMultiplyAdd(w, Vector512.Load(xi + 2 * Lanes), a2);
                a3 = Vector512.FusedMultiplyAdd(w, Vector512.Load(xi + 3 * Lanes), a3);
            }
            a0.Store(y); a1.Store(y + Lanes); a2.Store(y + 2 * Lanes); a3.Store(y + 3 * Lanes);
            return;
        }
        for (int v = 0; v < lanes; v += Lanes)
        {
            var a = first ? Vector512<float>.Zero : Vector512.Load(y + v);
            for (int j = 0; j < n; j++)
            {
                int i = c[j];
                a = Vector512.FusedMultiplyAdd(Vector512.Create(wRow[i]), Vector512.Load(x + (long)i * bp + v), a);
            }
            a.Store(y + v);
        }
    }

    /// <summary>Σ of 16 lanes as a fixed tree: halves, then quarters, then Vector128.Sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float HorizontalSum(Vector512<float> a)
    {
        var h = a.GetLower() + a.GetUpper();
        var q = h.GetLower() + h.GetUpper();
        return Vector128.Sum(q);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void GradientRow(float* dy, int* c, int n, float* x, float* g, int bp)
    {
        if (bp == 4 * Lanes)
        {
            var d0 = Vector512.Load(dy); var d1 = Vector512.Load(dy + Lanes);
            var d2 = Vector512.Load(dy + 2 * Lanes); var d3 = Vector512.Load(dy + 3 * Lanes);
            for (int j = 0; j < n; j++)
            {
                int i = c[j];
                float* xi = x + (long)i * bp;
                var a = Vector512.FusedMultiplyAdd(d1, Vector512.Load(xi + Lanes), d0 * Vector512.Load(xi));
                var e = Vector512.FusedMultiplyAdd(d3, Vector512.Load(xi + 3 * Lanes), d2 * Vector512.Load(xi + 2 * Lanes));
                g[i] = HorizontalSum(a + e);
            }
            return;
        }
        for (int j = 0; j < n; j++)
        {
            int i = c[j];
            float* xi = x + (long)i * bp;
            var a = Vector512<float>.Zero;
            for (int v = 0; v < bp; v += Lanes) a = Vector512.FusedMultiplyAdd(Vector512.Load(dy + v), Vector512.Load(xi + v), a);
            g[i] = HorizontalSum(a);
        }
    }
}
