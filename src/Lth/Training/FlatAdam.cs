using static TorchSharp.torch;

namespace Lth.Training;

/// <summary>
/// Adam (Kingma &amp; Ba) exactly as torch.optim.Adam's single-tensor path computes it
/// (L2 weight decay added to the gradient, no amsgrad):
/// m ← lerp(m, g, 1−β₁); v ← β₂v + (1−β₂)g²; p ← p − (lr/(1−β₁ᵗ)) · m / (√v/√(1−β₂ᵗ) + ε).
/// Scalar constants are computed in double and rounded once, as libtorch does.
/// </summary>
public sealed class FlatAdam(long size, double lr, double beta1, double beta2, double eps, double weightDecay, Device? device = null) : IFlatOptimizer
{
    private readonly Tensor m = zeros(size, device: device ?? CPU);
    private readonly Tensor v = zeros(size, device: device ?? CPU);
    private readonly Tensor oneMinusBeta1 = tensor((float)(1 - beta1), device: device ?? CPU);

    public double Lr { get; set; } = lr;

    public long StepCount { get; private set; }

    public void Step(Tensor p, Tensor g)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        long t = ++StepCount;
        if (weightDecay != 0) g.add_(p, alpha: weightDecay);
        m.lerp_(g, oneMinusBeta1);
        v.mul_(beta2).addcmul_(g, g, value: 1 - beta2);
        double bc1 = 1 - Math.Pow(beta1, t);
        double bc2Sqrt = Math.Sqrt(1 - Math.Pow(beta2, t));
        var denom = v.sqrt().div_(bc2Sqrt).add_(eps);
        p.addcdiv_(m, denom, value: -Lr / bc1);
    }

    public Dictionary<string, Tensor> State() => AdamState.Save(m, v, StepCount);

    public void LoadState(IReadOnlyDictionary<string, Tensor> state) => StepCount = AdamState.Load(state, m, v);

    public void Dispose() { m.Dispose(); v.Dispose(); oneMinusBeta1.Dispose(); }
}
