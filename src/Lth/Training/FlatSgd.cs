using static TorchSharp.torch;

namespace Lth.Training;

/// <summary>
/// SGD with optional momentum and L2 weight decay, as torch.optim.SGD (dampening 0, no Nesterov):
/// g ← g + λp; b ← μb + g (b = g on the first step); p ← p − lr·b.
/// </summary>
public sealed class FlatSgd(long size, double lr, double momentum, double weightDecay) : IFlatOptimizer
{
    private Tensor? buffer;

    public double Lr { get; set; } = lr;

    public long StepCount { get; private set; }

    public void Step(Tensor p, Tensor g)
    {
        using var _ = no_grad();
        StepCount++;
        if (weightDecay != 0) g.add_(p, alpha: weightDecay);
        if (momentum != 0)
        {
            if (buffer is not null && buffer.device != g.device) { var moved = buffer.to(g.device).DetachFromDisposeScope(); buffer.Dispose(); buffer = moved; }
            if (buffer is null) buffer = g.clone().DetachFromDisposeScope();
            else buffer.mul_(momentum).add_(g);
            p.add_(buffer, alpha: -Lr);
        }
        else p.add_(g, alpha: -Lr);
    }

    public Dictionary<string, Tensor> State()
    {
        var state = new Dictionary<string, Tensor> { ["step"] = tensor(new long[] { StepCount }) };
        if (buffer is not null) state["momentum_buffer"] = buffer.cpu().clone();
        return state;
    }

    public void LoadState(IReadOnlyDictionary<string, Tensor> state)
    {
        StepCount = state["step"].data<long>()[0];
        buffer?.Dispose();
        buffer = state.TryGetValue("momentum_buffer", out var b) ? b.clone().DetachFromDisposeScope() : null;
    }

    public void Dispose() => buffer?.Dispose();
}
