using static TorchSharp.torch;

namespace Lth.Models;

/// <summary>The checks of <see cref="SparseLinear"/>'s pointer kernels: shapes always, bounds opt-in (<c>LTH_CHECKED=1</c>, <see cref="KernelChecks"/>).</summary>
public sealed partial class SparseLinear
{
    /// <summary>
    /// With <see cref="KernelChecks"/> on: the index is sound (each member's row/block starts ascend from 0 to its column
    /// count; each column lies in its block, ascending) and every tensor holds what the kernel will address
    /// (<paramref name="w"/> K·out·in, <paramref name="x"/> in·Bp shared or K·in·Bp, <paramref name="y"/> K·out·Bp floats).
    /// </summary>
    internal void CheckKernel(string kernel, Tensor w, Tensor x, Tensor y, int bp)
    {
        string Name() => $"SparseLinear.{kernel} [{members}, {outFeatures}, {inFeatures}]";
        static long Floats(Tensor t) => t.bytes.Length / sizeof(float);
        if (Floats(w) < (long)members * outFeatures * inFeatures) KernelChecks.Fail(Name(), $"weights hold {Floats(w)} floats");
        if (Floats(x) < (x.dim() == 2 ? 1L : members) * inFeatures * bp) KernelChecks.Fail(Name(), $"input holds {Floats(x)} floats");
        if (Floats(y) < (long)members * outFeatures * bp) KernelChecks.Fail(Name(), $"output holds {Floats(y)} floats");
        for (int k = 0; k < members; k++)
        {
            int[] st = starts[k], cs = cols[k];
            if (st.Length != outFeatures * blocks + 1 || st[0] != 0 || st[^1] != cs.Length) KernelChecks.Fail(Name(), $"member {k}: index bounds");
            for (int r = 0; r < outFeatures * blocks; r++)
            {
                if (st[r] > st[r + 1]) KernelChecks.Fail(Name(), $"member {k}: row block {r} starts after the next");
                int lo = r % blocks * BlockColumns, hi = Math.Min(inFeatures, lo + BlockColumns);
                for (int j = st[r]; j < st[r + 1]; j++)
                    if (cs[j] < lo || cs[j] >= hi || (j > st[r] && cs[j] <= cs[j - 1]))
                        KernelChecks.Fail(Name(), $"member {k}: column {cs[j]} at {j} outside its block [{lo}, {hi}) or out of order");
            }
        }
    }

    /// <summary>
    /// The kernels write through raw pointers, so every shape is checked first: <paramref name="w"/> [K, out, in],
    /// <paramref name="x"/> [in, Bp] or [K, in, Bp], <paramref name="y"/> [K, out, Bp] with Bp a multiple of <see cref="Lanes"/>. Returns Bp.
    /// </summary>
    private int CheckShapes(Tensor w, Tensor x, Tensor y, int outs)
    {
        long bp = y.dim() == 3 ? y.shape[2] : -1;
        bool ok = w.dim() == 3 && w.shape[0] == members && w.shape[1] == outs && w.shape[2] == inFeatures
            && y.dim() == 3 && y.shape[0] == members && y.shape[1] == outs && bp > 0 && bp % Lanes == 0
            && (x.dim() == 2 ? x.shape[0] == inFeatures && x.shape[1] == bp
                : x.dim() == 3 && x.shape[0] == members && x.shape[1] == inFeatures && x.shape[2] == bp);
        if (!ok)
            throw new ArgumentException($"SparseLinear [{members}, {outs}, {inFeatures}]: shapes [{string.Join(", ", w.shape)}], [{string.Join(", ", x.shape)}], [{string.Join(", ", y.shape)}] do not fit");
        return (int)bp;
    }
}
