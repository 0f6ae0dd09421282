using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lth.Models;

/// <summary>ConvGradients' per-image pieces besides the products: im2col and its adjoint, max pooling and the gradient through it and ReLU.</summary>
internal sealed unsafe partial class ConvGradients
{
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

    /// <summary>sums[o] += Σ over row o's lanes (<see cref="DenseKernels.RowSum"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BiasSum(float* dz, int rows, int ld, float* sums)
    {
        for (int o = 0; o < rows; o++) sums[o] += DenseKernels.RowSum(dz + (long)o * ld, ld);
    }
}
