using Lth.Models;

namespace Lth.Tests.Models;

/// <summary>
/// The managed AVX-512 products behind LeNet's own backward: C = init + A·B with A read either way, against a
/// double-precision reference, and bitwise the same whichever rows and columns one call covers.
/// </summary>
public unsafe class DenseKernelsTests
{
    [Theory]
    [InlineData(300, 64, 784, false)]   // the forward of LeNet's first layer (depth in several blocks)
    [InlineData(13, 37, 5, false)]      // row and column tails
    [InlineData(10, 100, 60, true)]     // a weight gradient: A read down its columns
    [InlineData(7, 16, 0, false)]       // no depth: C = init
    public void TheProductMatchesADoublePrecisionReference(int m, int n, int depth, bool transposedA)
    {
        var rng = new Random(3);
        float[] a = Enumerable.Range(0, Math.Max(1, m * depth)).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        int ldb = DenseKernels.Padded(n);
        float[] b = Enumerable.Range(0, Math.Max(1, depth * ldb)).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        float[] bias = Enumerable.Range(0, m).Select(_ => (float)rng.NextDouble()).ToArray();
        float[] c = new float[m * n + 1];
        c[^1] = 42;   // a guard just past C: the kernel writes exactly within [0, n) of each row
        long sm = transposedA ? 1 : depth, sp = transposedA ? m : 1;
        fixed (float* pa = a, pb = b, pc = c, pbias = bias)
            DenseKernels.Gemm(0, m, 0, n, depth, pa, sm, sp, pb, ldb, pc, n, pbias, DenseKernels.Epilogue.Activation, 0.1f);
        Assert.Equal(42f, c[^1]);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = bias[i], magnitude = Math.Abs(bias[i]);
                for (int p = 0; p < depth; p++)
                {
                    double term = (double)a[i * sm + p * sp] * b[p * ldb + j];
                    s += term;
                    magnitude += Math.Abs(term);
                }
                double expected = s > 0 ? s : 0.1 * s;
                // Float rounding of a sum grows with the sum of its terms' magnitudes; a wrong element is off by O(1).
                Assert.True(Math.Abs(c[i * n + j] - expected) <= 1e-6 * (1 + magnitude), $"C[{i}, {j}] = {c[i * n + j]}, expected {expected}");
            }
    }

    [Fact]
    public void RowsAndColumnsComputedApartAreBitwiseTheProductComputedWhole()
    {
        const int m = 40, n = 100, depth = 300;
        var rng = new Random(8);
        int ldb = DenseKernels.Padded(n);
        float[] a = Enumerable.Range(0, m * depth).Select(_ => (float)rng.NextDouble()).ToArray();
        float[] b = Enumerable.Range(0, depth * ldb).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        float[] whole = new float[m * n], parts = new float[m * n];
        fixed (float* pa = a, pb = b, pw = whole, pp = parts)
        {
            DenseKernels.Gemm(0, m, 0, n, depth, pa, depth, 1, pb, ldb, pw, n, null, DenseKernels.Epilogue.None, 0);
            // Splits that a thread or a tile boundary could make: rows 0..17 | 17..40, columns 0..48 | 48..100.
            foreach (var (m0, m1) in new[] { (0, 17), (17, m) })
                foreach (var (n0, n1) in new[] { (0, 48), (48, n) })
                    DenseKernels.Gemm(m0, m1, n0, n1, depth, pa, depth, 1, pb, ldb, pp, n, null, DenseKernels.Epilogue.None, 0);
        }
        Assert.Equal(whole, parts);
    }

    [Theory]
    [InlineData(60, 784)]   // the input batch: whole 8 × 8 blocks and a 4-row tail
    [InlineData(13, 37)]    // tails both ways
    public void TransposeMovesEveryElementAndZeroesThePadding(int rows, int cols)
    {
        int ldd = DenseKernels.Padded(rows);
        float[] src = Enumerable.Range(0, rows * cols).Select(i => (float)i).ToArray();
        float[] dst = Enumerable.Repeat(-1f, cols * ldd).ToArray();
        fixed (float* ps = src, pd = dst) DenseKernels.Transpose(ps, cols, rows, cols, pd, ldd);
        for (int c = 0; c < cols; c++)
            for (int r = 0; r < ldd; r++)
                Assert.Equal(r < rows ? src[r * cols + c] : 0f, dst[c * ldd + r]);
    }
}
