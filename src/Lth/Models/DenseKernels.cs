using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
internal static unsafe class DenseKernels
{
    public const int Lanes = 16;
    private const int TileRows = 6, TileVectors = 4, BlockDepth = 128;

    /// <summary>What the last depth block does to a row before it is stored.</summary>
    public enum Epilogue { None, Activation }

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
    /// <see cref="Gemm"/> over rows [0, m) and columns [0, n), its rows split between two threads when
    /// <paramref name="threads"/> ≥ 2 and the product is large (a fully-connected layer on a convolution's 12,544
    /// features; below about four million multiply-adds the hand-off costs more than it saves). Bitwise the same
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

    /// <summary>One depth block of a product: where its operands start, and how its rows begin and end.</summary>
    private struct Tile
    {
        public float* A, B, Bias;
        public long Sm, Sp, Ldb, Ldc;
        public int Depth;
        public bool First, Last;
        public Epilogue Epilogue;
        public float Slope;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly Vector512<float> Start(int m, float* c, int count) =>
            !First ? Load(c, count) : Vector512.Create(Bias is null ? 0f : Bias[m]);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Store(Vector512<float> v, float* c, int count)
        {
            if (Last && Epilogue == Epilogue.Activation)
                v = Vector512.ConditionalSelect(Vector512.GreaterThan(v, Vector512<float>.Zero), v, v * Vector512.Create(Slope));
            if (count == Lanes) v.Store(c);
            else for (int i = 0; i < count; i++) c[i] = v[i];
        }
    }

    private static float Finish(float v, Epilogue e, float slope) => e == Epilogue.Activation && !(v > 0) ? v * slope : v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Load(float* p, int count)
    {
        if (count == Lanes) return Vector512.Load(p);
        var v = Vector512<float>.Zero;
        for (int i = 0; i < count; i++) v = v.WithElement(i, p[i]);
        return v;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile6x4(in Tile t, int m, int n, float* c)
    {
        float* c0 = c + m * t.Ldc + n, c1 = c0 + t.Ldc, c2 = c1 + t.Ldc, c3 = c2 + t.Ldc, c4 = c3 + t.Ldc, c5 = c4 + t.Ldc;
        Vector512<float> x00 = t.Start(m, c0, Lanes), x01 = t.Start(m, c0 + 16, Lanes), x02 = t.Start(m, c0 + 32, Lanes), x03 = t.Start(m, c0 + 48, Lanes);
        Vector512<float> x10 = t.Start(m + 1, c1, Lanes), x11 = t.Start(m + 1, c1 + 16, Lanes), x12 = t.Start(m + 1, c1 + 32, Lanes), x13 = t.Start(m + 1, c1 + 48, Lanes);
        Vector512<float> x20 = t.Start(m + 2, c2, Lanes), x21 = t.Start(m + 2, c2 + 16, Lanes), x22 = t.Start(m + 2, c2 + 32, Lanes), x23 = t.Start(m + 2, c2 + 48, Lanes);
        Vector512<float> x30 = t.Start(m + 3, c3, Lanes), x31 = t.Start(m + 3, c3 + 16, Lanes), x32 = t.Start(m + 3, c3 + 32, Lanes), x33 = t.Start(m + 3, c3 + 48, Lanes);
        Vector512<float> x40 = t.Start(m + 4, c4, Lanes), x41 = t.Start(m + 4, c4 + 16, Lanes), x42 = t.Start(m + 4, c4 + 32, Lanes), x43 = t.Start(m + 4, c4 + 48, Lanes);
        Vector512<float> x50 = t.Start(m + 5, c5, Lanes), x51 = t.Start(m + 5, c5 + 16, Lanes), x52 = t.Start(m + 5, c5 + 32, Lanes), x53 = t.Start(m + 5, c5 + 48, Lanes);
        float* a = t.A + m * t.Sm;
        float* b = t.B + n;
        long sm = t.Sm, sp = t.Sp, ldb = t.Ldb;
        for (int p = 0; p < t.Depth; p++, a += sp, b += ldb)
        {
            var b0 = Vector512.Load(b); var b1 = Vector512.Load(b + 16); var b2 = Vector512.Load(b + 32); var b3 = Vector512.Load(b + 48);
            var w = Vector512.Create(a[0]);
            x00 = Vector512.FusedMultiplyAdd(w, b0, x00); x01 = Vector512.FusedMultiplyAdd(w, b1, x01); x02 = Vector512.FusedMultiplyAdd(w, b2, x02); x03 = Vector512.FusedMultiplyAdd(w, b3, x03);
            w = Vector512.Create(a[sm]);
            x10 = Vector512.FusedMultiplyAdd(w, b0, x10); x11 = Vector512.FusedMultiplyAdd(w, b1, x11); x12 = Vector512.FusedMultiplyAdd(w, b2, x12); x13 = Vector512.FusedMultiplyAdd(w, b3, x13);
            w = Vector512.Create(a[2 * sm]);
            x20 = Vector512.FusedMultiplyAdd(w, b0, x20); x21 = Vector512.FusedMultiplyAdd(w, b1, x21); x22 = Vector512.FusedMultiplyAdd(w, b2, x22); x23 = Vector512.FusedMultiplyAdd(w, b3, x23);
            w = Vector512.Create(a[3 * sm]);
            x30 = Vector512.FusedMultiplyAdd(w, b0, x30); x31 = Vector512.FusedMultiplyAdd(w, b1, x31); x32 = Vector512.FusedMultiplyAdd(w, b2, x32); x33 = Vector512.FusedMultiplyAdd(w, b3, x33);
            w = Vector512.Create(a[4 * sm]);
            x40 = Vector512.FusedMultiplyAdd(w, b0, x40); x41 = Vector512.FusedMultiplyAdd(w, b1, x41); x42 = Vector512.FusedMultiplyAdd(w, b2, x42); x43 = Vector512.FusedMultiplyAdd(w, b3, x43);
            w = Vector512.Create(a[5 * sm]);
            x50 = Vector512.FusedMultiplyAdd(w, b0, x50); x51 = Vector512.FusedMultiplyAdd(w, b1, x51); x52 = Vector512.FusedMultiplyAdd(w, b2, x52); x53 = Vector512.FusedMultiplyAdd(w, b3, x53);
        }
        t.Store(x00, c0, Lanes); t.Store(x01, c0 + 16, Lanes); t.Store(x02, c0 + 32, Lanes); t.Store(x03, c0 + 48, Lanes);
        t.Store(x10, c1, Lanes); t.Store(x11, c1 + 16, Lanes); t.Store(x12, c1 + 32, Lanes); t.Store(x13, c1 + 48, Lanes);
        t.Store(x20, c2, Lanes); t.Store(x21, c2 + 16, Lanes); t.Store(x22, c2 + 32, Lanes); t.Store(x23, c2 + 48, Lanes);
        t.Store(x30, c3, Lanes); t.Store(x31, c3 + 16, Lanes); t.Store(x32, c3 + 32, Lanes); t.Store(x33, c3 + 48, Lanes);
        t.Store(x40, c4, Lanes); t.Store(x41, c4 + 16, Lanes); t.Store(x42, c4 + 32, Lanes); t.Store(x43, c4 + 48, Lanes);
        t.Store(x50, c5, Lanes); t.Store(x51, c5 + 16, Lanes); t.Store(x52, c5 + 32, Lanes); t.Store(x53, c5 + 48, Lanes);
    }

    /// <summary>Six rows × one vector of up to 16 columns (the columns left over from whole 64-column tiles).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile6x1(in Tile t, int m, int n, float* c, int count)
    {
        float* c0 = c + m * t.Ldc + n;
        long ldc = t.Ldc, sm = t.Sm, sp = t.Sp, ldb = t.Ldb;
        Vector512<float> x0 = t.Start(m, c0, count), x1 = t.Start(m + 1, c0 + ldc, count), x2 = t.Start(m + 2, c0 + 2 * ldc, count);
        Vector512<float> x3 = t.Start(m + 3, c0 + 3 * ldc, count), x4 = t.Start(m + 4, c0 + 4 * ldc, count), x5 = t.Start(m + 5, c0 + 5 * ldc, count);
        float* a = t.A + m * sm;
        float* b = t.B + n;
        for (int p = 0; p < t.Depth; p++, a += sp, b += ldb)
        {
            var v = Vector512.Load(b);
            x0 = Vector512.FusedMultiplyAdd(Vector512.Create(a[0]), v, x0);
            x1 = Vector512.FusedMultiplyAdd(Vector512.Create(a[sm]), v, x1);
            x2 = Vector512.FusedMultiplyAdd(Vector512.Create(a[2 * sm]), v, x2);
            x3 = Vector512.FusedMultiplyAdd(Vector512.Create(a[3 * sm]), v, x3);
            x4 = Vector512.FusedMultiplyAdd(Vector512.Create(a[4 * sm]), v, x4);
            x5 = Vector512.FusedMultiplyAdd(Vector512.Create(a[5 * sm]), v, x5);
        }
        t.Store(x0, c0, count); t.Store(x1, c0 + ldc, count); t.Store(x2, c0 + 2 * ldc, count);
        t.Store(x3, c0 + 3 * ldc, count); t.Store(x4, c0 + 4 * ldc, count); t.Store(x5, c0 + 5 * ldc, count);
    }

    /// <summary>Four rows × 64 columns (four rows left over from whole 6-row tiles).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4x4(in Tile t, int m, int n, float* c)
    {
        float* c0 = c + m * t.Ldc + n, c1 = c0 + t.Ldc, c2 = c1 + t.Ldc, c3 = c2 + t.Ldc;
        Vector512<float> x00 = t.Start(m, c0, Lanes), x01 = t.Start(m, c0 + 16, Lanes), x02 = t.Start(m, c0 + 32, Lanes), x03 = t.Start(m, c0 + 48, Lanes);
        Vector512<float> x10 = t.Start(m + 1, c1, Lanes), x11 = t.Start(m + 1, c1 + 16, Lanes), x12 = t.Start(m + 1, c1 + 32, Lanes), x13 = t.Start(m + 1, c1 + 48, Lanes);
        Vector512<float> x20 = t.Start(m + 2, c2, Lanes), x21 = t.Start(m + 2, c2 + 16, Lanes), x22 = t.Start(m + 2, c2 + 32, Lanes), x23 = t.Start(m + 2, c2 + 48, Lanes);
        Vector512<float> x30 = t.Start(m + 3, c3, Lanes), x31 = t.Start(m + 3, c3 + 16, Lanes), x32 = t.Start(m + 3, c3 + 32, Lanes), x33 = t.Start(m + 3, c3 + 48, Lanes);
        float* a = t.A + m * t.Sm;
        float* b = t.B + n;
        long sm = t.Sm, sp = t.Sp, ldb = t.Ldb;
        for (int p = 0; p < t.Depth; p++, a += sp, b += ldb)
        {
            var b0 = Vector512.Load(b); var b1 = Vector512.Load(b + 16); var b2 = Vector512.Load(b + 32); var b3 = Vector512.Load(b + 48);
            var w = Vector512.Create(a[0]);
            x00 = Vector512.FusedMultiplyAdd(w, b0, x00); x01 = Vector512.FusedMultiplyAdd(w, b1, x01); x02 = Vector512.FusedMultiplyAdd(w, b2, x02); x03 = Vector512.FusedMultiplyAdd(w, b3, x03);
            w = Vector512.Create(a[sm]);
            x10 = Vector512.FusedMultiplyAdd(w, b0, x10); x11 = Vector512.FusedMultiplyAdd(w, b1, x11); x12 = Vector512.FusedMultiplyAdd(w, b2, x12); x13 = Vector512.FusedMultiplyAdd(w, b3, x13);
            w = Vector512.Create(a[2 * sm]);
            x20 = Vector512.FusedMultiplyAdd(w, b0, x20); x21 = Vector512.FusedMultiplyAdd(w, b1, x21); x22 = Vector512.FusedMultiplyAdd(w, b2, x22); x23 = Vector512.FusedMultiplyAdd(w, b3, x23);
            w = Vector512.Create(a[3 * sm]);
            x30 = Vector512.FusedMultiplyAdd(w, b0, x30); x31 = Vector512.FusedMultiplyAdd(w, b1, x31); x32 = Vector512.FusedMultiplyAdd(w, b2, x32); x33 = Vector512.FusedMultiplyAdd(w, b3, x33);
        }
        t.Store(x00, c0, Lanes); t.Store(x01, c0 + 16, Lanes); t.Store(x02, c0 + 32, Lanes); t.Store(x03, c0 + 48, Lanes);
        t.Store(x10, c1, Lanes); t.Store(x11, c1 + 16, Lanes); t.Store(x12, c1 + 32, Lanes); t.Store(x13, c1 + 48, Lanes);
        t.Store(x20, c2, Lanes); t.Store(x21, c2 + 16, Lanes); t.Store(x22, c2 + 32, Lanes); t.Store(x23, c2 + 48, Lanes);
        t.Store(x30, c3, Lanes); t.Store(x31, c3 + 16, Lanes); t.Store(x32, c3 + 32, Lanes); t.Store(x33, c3 + 48, Lanes);
    }

    /// <summary>One row × 64 columns (the rows left over from whole 6-row tiles).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile1x4(in Tile t, int m, int n, float* c)
    {
        float* c0 = c + m * t.Ldc + n;
        Vector512<float> x0 = t.Start(m, c0, Lanes), x1 = t.Start(m, c0 + 16, Lanes), x2 = t.Start(m, c0 + 32, Lanes), x3 = t.Start(m, c0 + 48, Lanes);
        float* a = t.A + m * t.Sm;
        float* b = t.B + n;
        for (int p = 0; p < t.Depth; p++, a += t.Sp, b += t.Ldb)
        {
            var w = Vector512.Create(a[0]);
            x0 = Vector512.FusedMultiplyAdd(w, Vector512.Load(b), x0);
            x1 = Vector512.FusedMultiplyAdd(w, Vector512.Load(b + 16), x1);
            x2 = Vector512.FusedMultiplyAdd(w, Vector512.Load(b + 32), x2);
            x3 = Vector512.FusedMultiplyAdd(w, Vector512.Load(b + 48), x3);
        }
        t.Store(x0, c0, Lanes); t.Store(x1, c0 + 16, Lanes); t.Store(x2, c0 + 32, Lanes); t.Store(x3, c0 + 48, Lanes);
    }

    /// <summary>One row × one vector of up to 16 columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile1x1(in Tile t, int m, int n, float* c, int count)
    {
        float* c0 = c + m * t.Ldc + n;
        var x = t.Start(m, c0, count);
        float* a = t.A + m * t.Sm;
        float* b = t.B + n;
        for (int p = 0; p < t.Depth; p++, a += t.Sp, b += t.Ldb)
            x = Vector512.FusedMultiplyAdd(Vector512.Create(a[0]), Vector512.Load(b), x);
        t.Store(x, c0, count);
    }
}
