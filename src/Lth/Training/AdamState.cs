using static TorchSharp.torch;

namespace Lth.Training;

/// <summary>
/// Adam's state as named tensors, with torch.optim's names (<c>exp_avg</c>, <c>exp_avg_sq</c>, <c>step</c>),
/// shared by <see cref="FlatAdam"/> and <see cref="FusedAdam"/> so that either can continue the other's state.
/// </summary>
internal static class AdamState
{
    /// <summary>CPU copies of the moments and the step count.</summary>
    public static Dictionary<string, Tensor> Save(Tensor m, Tensor v, long step) => new()
    {
        ["exp_avg"] = m.cpu().clone(),
        ["exp_avg_sq"] = v.cpu().clone(),
        ["step"] = tensor(new long[] { step }),
    };

    /// <summary>Copies the moments into <paramref name="m"/> and <paramref name="v"/>; returns the step count.</summary>
    public static long Load(IReadOnlyDictionary<string, Tensor> state, Tensor m, Tensor v)
    {
        using var _ = no_grad();
        m.copy_(state["exp_avg"]);
        v.copy_(state["exp_avg_sq"]);
        return state["step"].data<long>()[0];
    }
}
