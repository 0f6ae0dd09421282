using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static TorchSharp.torch;

namespace Lth.Training;

/// <summary>
/// Adam, the mask and gradient zeroing as ONE managed SIMD pass over the flat buffers, replacing a
/// dozen libtorch calls and memory passes per step. Per element it computes what torch.optim.Adam's
/// single-tensor path computes with libtorch's vectorized CPU kernels, in the same order and with the
/// same fused multiply-adds (lerp and addcmul are FMAs there):
/// g ← fma(p, λ, g); m ← fma(1−β₁, g − m, m); v ← fma((1−β₂)g, g, β₂v); p ← p + ((−lr/(1−β₁ᵗ))m)/(√v/√(1−β₂ᵗ) + ε);
/// p ← (mask = 0 ? +0 : p); g ← 0. Against <see cref="FlatAdam"/> (the same formula as whole-buffer libtorch calls)
/// all but a handful of elements per 4096 are bitwise equal and the rest differ in the last bit (a
/// libtorch kernel detail not pinned down), within 1e-5 relative after 100 steps. Every
/// operation is correctly rounded, so an element's result does not depend on the vector width, the
/// buffer length or the cohort size K — which keeps cohort members bitwise equal to solo runs.
/// </summary>
public sealed class FusedAdam : IFlatOptimizer, IMaskedStep
{
    private readonly Tensor m, v;
    private int[]? alive;   // with SkipPruned: the positions the mask keeps
    private int aliveLength; // the length of that mask
    private readonly float beta1, beta2, eps, weightDecay;
    private readonly double beta1d, beta2d;

    public FusedAdam(long size, double lr, double beta1, double beta2, double eps, double weightDecay)
    {
        if (size % 64 != 0) throw new ArgumentException("the flat buffer length must be a multiple of 64 floats");
        m = zeros(size);
        v = zeros(size);
        (this.beta1, this.beta2, this.eps, this.weightDecay) = ((float)beta1, (float)beta2, (float)eps, (float)weightDecay);
        (beta1d, beta2d, Lr) = (beta1, beta2, lr);
    }

    /// <inheritdoc/>
    public double Lr { get; set; }

    public long StepCount { get; private set; }

    /// <summary>
    /// Threads for the dense pass (default 1): with 2 or more, the buffer's two halves are updated on two threads. Every
    /// element's arithmetic is the same either way. Worth it only when nothing else holds the second core: the trainer
    /// sets it for models that compute their own gradients (<see cref="Models.IModel.TrainingStep"/>), where no libtorch
    /// OpenMP thread is left spinning after backward.
    /// </summary>
    public int Threads { get; set; } = 1;

    /// <summary>
    /// Set when the next step's gradient was written, not accumulated, at every position it covers (by
    /// <see cref="Models.IModel.TrainingStep"/>): the survivors-only pass then zeroes the survivors' gradient only,
    /// instead of the whole buffer. The rest of the gradient is left as written, which only a caller that overwrites it
    /// again before the next step may allow.
    /// </summary>
    public bool GradientOverwritten { get; set; }

    /// <summary>Whether steps currently update only the survivors (see <see cref="SkipPruned"/>).</summary>
    public bool SkipsPruned => alive is not null;

    /// <summary>Density below which <see cref="SkipPruned"/> indexes the survivors (the indexed scalar pass beats the dense vector pass below it).</summary>
    public const double SkipPrunedBelow = 0.15;

    /// <summary>
    /// From now on, <see cref="StepMasked"/> with <paramref name="mask"/> updates only the positions the
    /// mask keeps, when they are fewer than <see cref="SkipPrunedBelow"/> of the buffer: the survivors get
    /// exactly the bits the dense pass gives them; pruned parameters stay +0 (as the dense pass and
    /// <see cref="Pruning.Mask.Apply"/> write them), so both passes leave the same parameters bit for bit;
    /// the pruned positions' moments are left as they are, which is only valid when this optimizer
    /// never serves another mask (a fresh optimizer per level: the trainer's own). Null: back to the dense pass.
    /// </summary>
    public void SkipPruned(Tensor? mask)
    {
        alive = null;
        if (mask is null) return;
        var k = MemoryMarshal.Cast<byte, float>(mask.bytes);
        int count = 0;
        foreach (float x in k) if (x != 0) count++;
        if (count >= SkipPrunedBelow * k.Length) return;
        alive = new int[count];
        aliveLength = k.Length;
        for (int i = 0, j = 0; i < k.Length; i++) if (k[i] != 0) alive[j++] = i;
    }

    public void Step(Tensor parameters, Tensor grad) => Run(parameters, grad, null);

    /// <inheritdoc/>
    public void StepMasked(Tensor parameters, Tensor grad, Tensor mask) => Run(parameters, grad, mask);

    private unsafe void Run(Tensor p, Tensor g, Tensor? mask)
    {
        var sp = MemoryMarshal.Cast<byte, float>(p.bytes);
        var sg = MemoryMarshal.Cast<byte, float>(g.bytes);
        var sm = MemoryMarshal.Cast<byte, float>(m.bytes);
        var sv = MemoryMarshal.Cast<byte, float>(v.bytes);
        var sk = mask is null ? Span<float>.Empty : MemoryMarshal.Cast<byte, float>(mask.bytes);
        int n = sp.Length;
        // The passes below write through raw pointers up to n (or the survivors' positions, taken from a mask of
        // aliveLength): every buffer must hold that many floats.
        if (sg.Length != n || sm.Length != n || sv.Length != n || (mask is not null && sk.Length != n) || (alive is not null && mask is not null && aliveLength != n))
            throw new ArgumentException($"FusedAdam: buffers of {sp.Length}, {sg.Length}, {sm.Length}, {sv.Length}, {(mask is null ? "no" : sk.Length)} floats (parameters, gradient, moments, mask) do not match");
        if (KernelChecks.Enabled && alive is not null && mask is not null) CheckAlive(sk);
        long t = ++StepCount;
        // Scalars as libtorch forms them: computed in double, rounded to float once.
        var c = new Constants
        {
            W1 = (float)(1 - beta1d),
            Beta2 = beta2,
            C2 = (float)(1 - beta2d),
            Bc2Sqrt = (float)Math.Sqrt(1 - Math.Pow(beta2d, t)),
            NegStep = (float)(-Lr / (1 - Math.Pow(beta1d, t))),
            Eps = eps,
            WeightDecay = weightDecay,
        };
        if (alive is not null && mask is not null)
        {
            fixed (float* pp = sp, pg = sg, pm = sm, pv = sv)
            fixed (int* pa = alive)
                UpdateAt(pp, pg, pm, pv, pa, alive.Length, c);
            if (!GradientOverwritten) sg.Clear();
            return;
        }
        fixed (float* pp = sp, pg = sg, pm = sm, pv = sv, pk = sk)
        {
            // One managed thread: parallelizing this pass across libtorch's threads measured no faster
            // (their OpenMP workers are still spinning right after backward).
            if (Threads < 2 || n < 1 << 16) Update(pp, pg, pm, pv, pk, 0, n, c);
            else
            {
                int half = n / 2 / 64 * 64;
                nint a = (nint)pp, b = (nint)pg, cm = (nint)pm, cv = (nint)pv, ck = (nint)pk;
                var cc = c;
                Parallel.For(0, 2, t => Update((float*)a, (float*)b, (float*)cm, (float*)cv, (float*)ck, t == 0 ? 0 : half, t == 0 ? half : n, cc));
            }
        }
    }

    /// <summary>With <see cref="KernelChecks"/> on: the survivors indexed by <see cref="SkipPruned"/> are exactly the positions this mask keeps, ascending.</summary>
    private void CheckAlive(Span<float> mask)
    {
        int j = 0;
        for (int i = 0; i < mask.Length; i++)
        {
            if (mask[i] == 0) continue;
            if (j >= alive!.Length || alive[j] != i) KernelChecks.Fail("FusedAdam.StepMasked", $"the mask keeps position {i}, which the survivor index (taken by SkipPruned) does not list at {j}");
            j++;
        }
        if (j != alive!.Length) KernelChecks.Fail("FusedAdam.StepMasked", $"the survivor index lists {alive.Length} positions; the mask keeps {j}");
    }

    private struct Constants
    {
        public float W1, Beta2, C2, Bc2Sqrt, NegStep, Eps, WeightDecay;
    }

    private static unsafe void Update(float* pp, float* pg, float* pm, float* pv, float* pk, int from, int to, in Constants c)
    {
        int i = from;
        if (Vector256.IsHardwareAccelerated)
        {
            var k = new VectorConstants(c);
            for (; i <= to - 8; i += 8)
            {
                var pi = Vector256.Load(pp + i);
                var mi = Vector256.Load(pm + i);
                var vi = Vector256.Load(pv + i);
                Step8(ref pi, Vector256.Load(pg + i), ref mi, ref vi, k);
                if (pk != null) pi = Vector256.ConditionalSelect(Vector256.Equals(Vector256.Load(pk + i), Vector256<float>.Zero), Vector256<float>.Zero, pi);
                mi.Store(pm + i);
                vi.Store(pv + i);
                pi.Store(pp + i);
                Vector256<float>.Zero.Store(pg + i);
            }
        }
        for (; i < to; i++)
        {
            StepOne(pp + i, pg[i], pm + i, pv + i, c);
            if (pk != null && pk[i] == 0) pp[i] = 0;
            pg[i] = 0;
        }
    }

    /// <summary>The update's scalars as vectors.</summary>
    private readonly struct VectorConstants(in Constants c)
    {
        public readonly Vector256<float> W1 = Vector256.Create(c.W1), Beta2 = Vector256.Create(c.Beta2), C2 = Vector256.Create(c.C2),
            Bc2Sqrt = Vector256.Create(c.Bc2Sqrt), Eps = Vector256.Create(c.Eps), NegStep = Vector256.Create(c.NegStep), WeightDecay = Vector256.Create(c.WeightDecay);
        public readonly bool Decay = c.WeightDecay != 0;
    }

    /// <summary>Eight elements of the update (the dense pass and the survivors' pass share it, so a survivor gets the same bits from either).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step8(ref Vector256<float> p, Vector256<float> g, ref Vector256<float> m, ref Vector256<float> v, in VectorConstants k)
    {
        if (k.Decay) g = Vector256.FusedMultiplyAdd(p, k.WeightDecay, g);
        m = Vector256.FusedMultiplyAdd(k.W1, g - m, m);
        v = Vector256.FusedMultiplyAdd(k.C2 * g, g, v * k.Beta2);
        var denom = Vector256.Sqrt(v) / k.Bc2Sqrt + k.Eps;
        p += (k.NegStep * m) / denom;
    }

    /// <summary>One element of the update, the scalar twin of the vector loop: the same operations in the same order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StepOne(float* p, float g, float* m, float* v, in Constants c)
    {
        float pi = *p;
        if (c.WeightDecay != 0) g = MathF.FusedMultiplyAdd(pi, c.WeightDecay, g);
        float mi = MathF.FusedMultiplyAdd(c.W1, g - *m, *m);
        float vi = MathF.FusedMultiplyAdd(c.C2 * g, g, *v * c.Beta2);
        float denom = MathF.Sqrt(vi) / c.Bc2Sqrt + c.Eps;
        *m = mi; *v = vi; *p = pi + (c.NegStep * mi) / denom;
    }

    /// <summary>
    /// <see cref="Update"/>'s formula at the listed positions (the mask is 1 there), eight at a time: gathered, computed
    /// with the dense pass's vector operations (so each survivor gets the same bits), and stored back one by one. The
    /// scalar loop took about 10 ns a survivor (2-core AMD EPYC), waiting on scattered loads and on its square root and divisions.
    /// </summary>
    private static unsafe void UpdateAt(float* pp, float* pg, float* pm, float* pv, int* at, int count, in Constants c)
    {
        int j = 0;
        if (Avx2.IsSupported)
        {
            var k = new VectorConstants(c);
            for (; j <= count - 8; j += 8)
            {
                var idx = Vector256.Load(at + j);
                var pi = Avx2.GatherVector256(pp, idx, 4);
                var mi = Avx2.GatherVector256(pm, idx, 4);
                var vi = Avx2.GatherVector256(pv, idx, 4);
                Step8(ref pi, Avx2.GatherVector256(pg, idx, 4), ref mi, ref vi, k);
                for (int l = 0; l < 8; l++)
                {
                    int i = at[j + l];
                    pp[i] = pi.GetElement(l); pm[i] = mi.GetElement(l); pv[i] = vi.GetElement(l); pg[i] = 0;
                }
            }
        }
        for (; j < count; j++)
        {
            int i = at[j];
            StepOne(pp + i, pg[i], pm + i, pv + i, c);
            pg[i] = 0;
        }
    }

    public Dictionary<string, Tensor> State() => AdamState.Save(m, v, StepCount);

    public void LoadState(IReadOnlyDictionary<string, Tensor> state) => StepCount = AdamState.Load(state, m, v);

    public void Dispose() { m.Dispose(); v.Dispose(); }
}

/// <summary>An optimizer that applies the mask and zeroes the gradient in the same pass as its update.</summary>
public interface IMaskedStep
{
    /// <summary>Update, then multiply the parameters by <paramref name="mask"/>, then zero <paramref name="grad"/>.</summary>
    void StepMasked(Tensor parameters, Tensor grad, Tensor mask);
}
