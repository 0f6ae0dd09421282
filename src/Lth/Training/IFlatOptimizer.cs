using static TorchSharp.torch;

namespace Lth.Training;

/// <summary>
/// An optimizer over one flat parameter buffer: each step is a handful of whole-buffer operations
/// instead of a dozen per parameter tensor. The math is torch.optim's, element by element.
/// </summary>
public interface IFlatOptimizer : IDisposable
{
    /// <summary>Applies one update to <paramref name="parameters"/> from <paramref name="grad"/> (which it may modify).</summary>
    void Step(Tensor parameters, Tensor grad);

    /// <summary>
    /// The learning rate of the next steps: the one the optimizer was created with until changed. The trainer
    /// sets it before every step from its <see cref="LrSchedule"/> (to that same value when there is no schedule).
    /// </summary>
    double Lr { get; set; }

    /// <summary>Steps taken since creation.</summary>
    long StepCount { get; }

    /// <summary>The optimizer's state as named tensors (copies), to carry it across levels and resumes.</summary>
    Dictionary<string, Tensor> State();

    /// <summary>Restores a state written by <see cref="State"/>.</summary>
    void LoadState(IReadOnlyDictionary<string, Tensor> state);
}

/// <summary>Creates the optimizer named in <see cref="TrainingHparams"/>.</summary>
public static class Optimizers
{
    public static readonly string[] Names = ["adam", "sgd"];

    /// <summary>The canonical (lower-case) name; throws <see cref="FormatException"/> for an unknown optimizer.</summary>
    public static string Canonical(string name)
    {
        var n = name.Trim().ToLowerInvariant();
        return Names.Contains(n) ? n : throw new FormatException($"optimizer: '{name}' is not one of {string.Join(", ", Names)}");
    }

    /// <summary>Adam is the fused managed pass on the CPU and whole-buffer libtorch calls elsewhere (CUDA).</summary>
    public static IFlatOptimizer Create(TrainingHparams hp, long size, Device? device = null) => hp.Optimizer switch
    {
        "adam" when device is null || device.type == TorchSharp.DeviceType.CPU => new FusedAdam(size, hp.Lr, hp.Beta1, hp.Beta2, hp.Eps, hp.WeightDecay),
        "adam" => new FlatAdam(size, hp.Lr, hp.Beta1, hp.Beta2, hp.Eps, hp.WeightDecay, device),
        "sgd" => new FlatSgd(size, hp.Lr, hp.Momentum, hp.WeightDecay),
        _ => throw new FormatException($"optimizer: unknown '{hp.Optimizer}' (known: {string.Join(", ", Names)})"),
    };
}
