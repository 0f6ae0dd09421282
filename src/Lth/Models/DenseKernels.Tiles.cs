using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lth.Models;

/// <summary>The register tiles of <see cref="DenseKernels.Gemm(int, int, int, int, int, float*, long, long, float*, long, float*, long, float*, DenseKernels.Epilogue, float, bool)"/>: 6, 4 or 1 rows × 64 or up to 16 columns.</summary>
internal static unsafe partial class DenseKernels
{
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
