using static TorchSharp.torch;

namespace Lth.Models;

/// <summary>The opt-in bounds checks of <see cref="SparseLinear"/>'s pointer kernels (<c>LTH_CHECKED=1</c>, <see cref="KernelChecks"/>).</summary>
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
}
