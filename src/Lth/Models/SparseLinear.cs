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
/// fused multiply-adds. Forward computes y[o, :] = Σ_{i alive in row o} W[o, i] · x[i, :] in the
/// order of i; the weight gradient is computed for surviving weights only, g[o, i] = Σ_b dy[o, b] · x[i, b]
/// (pruned weights are masked after every step, so their gradient is never used). Each output element
/// is computed by one thread in a fixed order, so results do not depend on the thread count or on the
/// cohort size K: members are bitwise equal to solo runs. Against a dense GEMM they differ by float
/// reassociation (tested within 1e-5 relative).</para>
/// </summary>
public sealed class SparseLinear
{
    /// <summary>Lanes per vector: the batch is padded to a multiple of this.</summary>
    public const int Lanes = 16;

    private readonly int members, outFeatures, inFeatures;
    private readonly int[][] rowStart;   // per member: out + 1 offsets into cols
    private readonly int[][] cols;       // per member: surviving column indices, row by row, ascending

    /// <param name="mask">The layer's mask of all members, [K, out, in] (any float tensor on the CPU; nonzero = alive).</param>
    public SparseLinear(Tensor mask)
    {
        if (mask.dim() != 3) throw new ArgumentException("mask must be [K, out, in]");
        members = (int)mask.shape[0]; outFeatures = (int)mask.shape[1]; inFeatures = (int)mask.shape[2];
        rowStart = new int[members][];
        cols = new int[members][];
        using var m = mask.to(ScalarType.Float32).cpu().contiguous();
        var all = m.data<float>().ToArray();
        long alive = 0;
        for (int k = 0; k < members; k++)
        {
            var starts = new int[outFeatures + 1];
            var list = new List<int>();
            int baseK = k * outFeatures * inFeatures;
            for (int o = 0; o < outFeatures; o++)
            {
                starts[o] = list.Count;
                for (int i = 0; i < inFeatures; i++)
                    if (all[baseK + o * inFeatures + i] != 0) list.Add(i);
            }
            starts[outFeatures] = list.Count;
            rowStart[k] = starts;
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
    /// </summary>
    public unsafe void Forward(Tensor weight, Tensor x, Tensor y)
    {
        int bp = (int)y.shape[2];
        bool shared = x.dim() == 2;
        nint wa = Address(weight), xa = Address(x), ya = Address(y);
        int rows = members * outFeatures;
        ForRows(rows, (from, to) =>
        {
            for (int r = from; r < to; r++)
            {
                int k = r / outFeatures, o = r % outFeatures;
                float* wRow = (float*)wa + (long)r * inFeatures;
                float* xk = (float*)xa + (shared ? 0 : (long)k * inFeatures * bp);
                float* yRow = (float*)ya + (long)r * bp;
                int[] c = cols[k];
                int s = rowStart[k][o], e = rowStart[k][o + 1];
                fixed (int* pc = c) ForwardRow(wRow, pc + s, e - s, xk, yRow, bp);
            }
        });
    }

    /// <summary>
    /// g[k][o, i] = Σ_b dy[k][o, b] · x[k][i, b] at the surviving (o, i) of every member, written into
    /// <paramref name="grad"/> ([K, out, in], pruned positions untouched). Padded batch lanes must be zero in dy or x.
    /// </summary>
    public unsafe void WeightGradient(Tensor dy, Tensor x, Tensor grad)
    {
        int bp = (int)dy.shape[2];
        bool shared = x.dim() == 2;
        nint ga = Address(grad), xa = Address(x), da = Address(dy);
        int rows = members * outFeatures;
        ForRows(rows, (from, to) =>
        {
            for (int r = from; r < to; r++)
            {
                int k = r / outFeatures, o = r % outFeatures;
                float* gRow = (float*)ga + (long)r * inFeatures;
                float* xk = (float*)xa + (shared ? 0 : (long)k * inFeatures * bp);
                float* dRow = (float*)da + (long)r * bp;
                int s = rowStart[k][o], e = rowStart[k][o + 1];
                fixed (int* pc = cols[k]) GradientRow(dRow, pc + s, e - s, xk, gRow, bp);
            }
        });
    }

    /// <summary>The address of a contiguous CPU float tensor's first element (native memory: no pinning needed).</summary>
    private static unsafe nint Address(Tensor t)
    {
        if (t.dtype != ScalarType.Float32 || t.device_type != TorchSharp.DeviceType.CPU || !t.is_contiguous())
            throw new ArgumentException("SparseLinear needs contiguous float32 CPU tensors");
        return (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));
    }

    private static void ForRows(int rows, Action<int, int> body) => body(0, rows);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ForwardRow(float* wRow, int* c, int n, float* x, float* y, int bp)
    {
        for (int b = 0; b < bp; b += 4 * Lanes)
        {
            int chunk = Math.Min(4 * Lanes, bp - b);
            if (chunk == 4 * Lanes)
            {
                // Two independent accumulator sets (even and odd survivors) hide the FMA latency.
                var a0 = Vector512<float>.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
                var e0 = a0; var e1 = a0; var e2 = a0; var e3 = a0;
                int j = 0;
                for (; j + 1 < n; j += 2)
                {
                    int i = c[j], i2 = c[j + 1];
                    var w = Vector512.Create(wRow[i]);
                    var w2 = Vector512.Create(wRow[i2]);
                    float* xi = x + (long)i * bp + b;
                    float* xi2 = x + (long)i2 * bp + b;
                    a0 = Vector512.FusedMultiplyAdd(w, Vector512.Load(xi), a0);
                    a1 = Vector512.FusedMultiplyAdd(w, Vector512.Load(xi + Lanes), a1);
                    a2 = Vector512.FusedMultiplyAdd(w, Vector512.Load(xi + 2 * Lanes), a2);
                    a3 = Vector512.FusedMultiplyAdd(w, Vector512.Load(xi + 3 * Lanes), a3);
                    e0 = Vector512.FusedMultiplyAdd(w2, Vector512.Load(xi2), e0);
                    e1 = Vector512.FusedMultiplyAdd(w2, Vector512.Load(xi2 + Lanes), e1);
                    e2 = Vector512.FusedMultiplyAdd(w2, Vector512.Load(xi2 + 2 * Lanes), e2);
                    e3 = Vector512.FusedMultiplyAdd(w2, Vector512.Load(xi2 + 3 * Lanes), e3);
                }
                if (j < n)
                {
                    int i = c[j];
                    var w = Vector512.Create(wRow[i]);
                    float* xi = x + (long)i * bp + b;
                    a0 = Vector512.FusedMultiplyAdd(w, Vector512.Load(xi), a0);
                    a1 = Vector512.FusedMultiplyAdd(w, Vector512.Load(xi + Lanes), a1);
                    a2 = Vector512.FusedMultiplyAdd(w, Vector512.Load(xi + 2 * Lanes), a2);
                    a3 = Vector512.FusedMultiplyAdd(w, Vector512.Load(xi + 3 * Lanes), a3);
                }
                a0 += e0; a1 += e1; a2 += e2; a3 += e3;
                a0.Store(y + b); a1.Store(y + b + Lanes); a2.Store(y + b + 2 * Lanes); a3.Store(y + b + 3 * Lanes);
            }
            else
            {
                for (int v = 0; v < chunk; v += Lanes)
                {
                    var a = Vector512<float>.Zero;
                    for (int j = 0; j < n; j++)
                    {
                        int i = c[j];
                        a = Vector512.FusedMultiplyAdd(Vector512.Create(wRow[i]), Vector512.Load(x + (long)i * bp + b + v), a);
                    }
                    a.Store(y + b + v);
                }
            }
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
