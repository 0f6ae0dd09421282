using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

using static TorchSharp.torch;

namespace Lth.Models;

/// <summary>
/// The dense single-precision products of a fully-connected training step, as managed AVX-512 kernels:
/// <c>C[m, n] = init(m) + Σ_p a(m, p) · B[p, n]</c>, where <c>a(m, p) = A[m·sm + p·sp]</c> is read one scalar at a
/// time (so A may be used transposed at no cost) and B and C are row-major. One product serves the three of a
/// layer: the forward <c>Y = W·X</c> (A = W), the weight gradient <c>G = dY·Xᵀ</c> (A = dY, B = the batch-major
/// input) and the input gradient <c>dX = Wᵀ·dY</c> (A = W read down its columns).
/// <para>Each element of C is one chain of fused multiply-adds over p in ascending order, started from its
/// initial value; the tile shape, the depth blocking (the chain is stored and reloaded, which is exact) and
/// the split between threads do not change it. So a product is bitwise the same whichever rows or columns a
/// thread takes and whatever else is computed beside it: members of a cohort equal solo runs, at any thread count.</para>
/// <para>The main tile is 6 rows × 64 columns (24 vector accumulators; per step of p, 4 vector loads and 6
/// broadcasts feed 24 FMAs). The depth runs in blocks of 128 so that a block of B (128 × 64 floats, 32 KiB)
/// stays in L1 while every row tile uses it.</para>
/// </summary>
internal static unsafe partial class DenseKernels
{
    public const int Lanes = 16;
    private const int TileRows = 6, TileVectors = 4, BlockDepth = 128;

    /// <summary>What the last depth block does to a row before it is stored.</summary>
    public enum Epilogue { None, Activation }

    /// <summary>Rounds a pointer up to a 64-byte boundary (a cache line; whole AVX-512 vectors).</summary>
    public static float* Align(float* p) => (float*)(((nint)p + 63) & ~(nint)63);

    /// <summary>
    /// The first element of a contiguous CPU tensor of <paramref name="type"/>, for the kernels that work on raw
    /// pointers (native memory: no pinning; the caller keeps the tensor reachable until the kernel's last access).
    /// </summary>
    public static nint Address(Tensor t, ScalarType type = ScalarType.Float32)
    {
        if (t.dtype != type || t.device_type != TorchSharp.DeviceType.CPU || !t.is_contiguous())
            throw new ArgumentException($"lth's own kernels need contiguous {type} CPU tensors, not {(t.is_contiguous() ? "" : "non-contiguous ")}{t.dtype} on {t.device_type}");
        return (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));
    }

    /// <summary>Rounds up to whole vectors.</summary>
    public static int Padded(int n) => (n + Lanes - 1) / Lanes * Lanes;

    /// <summary>
    /// Rows [m0, m1) and columns [n0, n1) of C = init + A·B over depth P. n0 must be a multiple of
    /// <see cref="Lanes"/>; every row of B must be readable up to <c>Padded(n1)</c>; C is written exactly
    /// within [n0, n1). init(m) is <paramref name="bias"/>[m] when given, else 0; with
    /// <paramref name="accumulate"/> it is C's own value (C += A·B, each element's chain continued from it). With
    /// <see cref="Epilogue.Activation"/>, stored values are <c>v &gt; 0 ? v : slope·v</c> (ReLU at slope 0).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gemm(int m0, int m1, int n0, int n1, int depth, float* a, long sm, long sp, float* b, long ldb,
                            float* c, long ldc, float* bias, Epilogue epilogue, float slope, bool accumulate = false)
    {
        if (depth == 0 && accumulate) return;
        if (depth == 0)
        {
            for (int m = m0; m < m1; m++)
                for (int n = n0; n < n1; n++) c[m * ldc + n] = Finish(bias is null ? 0f : bias[m], epilogue, slope);
            return;
        }
        for (int p0 = 0; p0 < depth; p0 += BlockDepth)
        {
            int pn = Math.Min(BlockDepth, depth - p0);
            var t = new Tile { A = a + p0 * sp, Sm = sm, Sp = sp, B = b + p0 * ldb, Ldb = ldb, Ldc = ldc, Depth = pn,
                               Bias = bias, First = p0 == 0 && !accumulate, Last = p0 + pn == depth, Epilogue = epilogue, Slope = slope };
            int m = m0;
            for (; m + TileRows <= m1; m += TileRows)
            {
                int n = n0;
                for (; n + TileVectors * Lanes <= n1; n += TileVectors * Lanes) Tile6x4(t, m, n, c);
                for (; n < n1; n += Lanes) Tile6x1(t, m, n, c, Math.Min(Lanes, n1 - n));
            }
            if (m + 4 <= m1)
            {
                // Four rows left (64 = 10·6 + 4, 100 = 16·6 + 4, 256 = 42·6 + 4): one pass over B for the four.
                int n = n0;
                for (; n + TileVectors * Lanes <= n1; n += TileVectors * Lanes) Tile4x4(t, m, n, c);
                for (; n < n1; n += Lanes)
                    for (int r = m; r < m + 4; r++) Tile1x1(t, r, n, c, Math.Min(Lanes, n1 - n));
                m += 4;
            }
            for (; m < m1; m++)
            {
                int n = n0;
                for (; n + TileVectors * Lanes <= n1; n += TileVectors * Lanes) Tile1x4(t, m, n, c);
                for (; n < n1; n += Lanes) Tile1x1(t, m, n, c, Math.Min(Lanes, n1 - n));
            }
        }
    }

    /// <summary>
    /// The product above over rows [0, m) and columns [0, n), its rows split between two threads when
    /// <paramref name="threads"/> ≥ 2 and the product is large (a fully-connected layer on a convolution's 12,544
    /// features; below about four million multiply-adds the hand-off costs more than it saves, 2-core AMD EPYC). Bitwise the same
    /// either way: no element depends on which rows a call covers.
    /// </summary>
    public static void Gemm(int threads, int m, int n, int depth, float* a, long sm, long sp, float* b, long ldb,
                            float* c, long ldc, float* bias, Epilogue epilogue, float slope)
    {
        if (threads < 2 || (long)m * n * depth < 1L << 22 || m < 2 * TileRows)
        {
            Gemm(0, m, 0, n, depth, a, sm, sp, b, ldb, c, ldc, bias, epilogue, slope);
            return;
        }
        int half = m / 2 / TileRows * TileRows;   // whole 6-row tiles on the first thread
        nint pa = (nint)a, pb = (nint)b, pc = (nint)c, pbias = (nint)bias;
        Parallel.For(0, 2, t => Gemm(t == 0 ? 0 : half, t == 0 ? half : m, 0, n, depth, (float*)pa, sm, sp, (float*)pb, ldb, (float*)pc, ldc, (float*)pbias, epilogue, slope));
    }

    /// <summary>
    /// dst[c, r] = src[r, c] for r &lt; <paramref name="rows"/>, c &lt; <paramref name="cols"/>, then dst[c, r] = 0 for
    /// <paramref name="rows"/> ≤ r &lt; <paramref name="ldd"/>: the input [B, in] into [in, Bp], or a layer's output
    /// [out, Bp] (its first B columns) into [B, Padded(out)]. Whole 8 × 8 blocks go through registers (the scalar
    /// loop took 76 µs a step for the 784 × 60 input).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transpose(float* src, long lds, int rows, int cols, float* dst, long ldd)
    {
        int r0 = 0;
        if (Avx.IsSupported)
            for (; r0 + 8 <= rows; r0 += 8)
            {
                int c0 = 0;
                for (; c0 + 8 <= cols; c0 += 8) Transpose8x8(src + r0 * lds + c0, lds, dst + c0 * ldd + r0, ldd);
                for (int c = c0; c < cols; c++)
                    for (int r = r0; r < r0 + 8; r++) dst[c * ldd + r] = src[r * lds + c];
            }
        for (int c = 0; c < cols; c++)
            for (int r = r0; r < rows; r++) dst[c * ldd + r] = src[r * lds + c];
        for (int c = 0; c < cols; c++) new Span<float>(dst + c * ldd + rows, (int)(ldd - rows)).Clear();
    }

    /// <summary>The classic in-register 8 × 8 transpose: unpack pairs of rows, shuffle pairs of pairs, swap 128-bit halves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* s, long lds, float* d, long ldd)
    {
        var r0 = Avx.LoadVector256(s); var r1 = Avx.LoadVector256(s + lds); var r2 = Avx.LoadVector256(s + 2 * lds); var r3 = Avx.LoadVector256(s + 3 * lds);
        var r4 = Avx.LoadVector256(s + 4 * lds); var r5 = Avx.LoadVector256(s + 5 * lds); var r6 = Avx.LoadVector256(s + 6 * lds); var r7 = Avx.LoadVector256(s + 7 * lds);
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1); var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5); var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE); var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE); var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(d, Avx.Permute2x128(u0, u4, 0x20)); Avx.Store(d + ldd, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(d + 2 * ldd, Avx.Permute2x128(u2, u6, 0x20)); Avx.Store(d + 3 * ldd, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(d + 4 * ldd, Avx.Permute2x128(u0, u4, 0x31)); Avx.Store(d + 5 * ldd, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(d + 6 * ldd, Avx.Permute2x128(u2, u6, 0x31)); Avx.Store(d + 7 * ldd, Avx.Permute2x128(u3, u7, 0x31));
    }

    /// <summary>Σ of a row of <paramref name="length"/> floats (a multiple of <see cref="Lanes"/>): whole vectors in order, then a fixed tree over the lanes.</summary>
    public static float RowSum(float* row, int length)
    {
        var s = Vector512.Load(row);
        for (int j = Lanes; j < length; j += Lanes) s += Vector512.Load(row + j);
        var h = s.GetLower() + s.GetUpper();
        var q = h.GetLower() + h.GetUpper();
        return Vector128.Sum(q);
    }
}
