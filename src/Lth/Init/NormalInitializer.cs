using static TorchSharp.torch;

namespace Lth.Init;

/// <summary>
/// Fan-independent normal, as PyTorch's <c>torch.nn.init.normal_(w, mean, std)</c>: N(mean, (gain·std)²),
/// default N(0, 1). <c>gain=</c> scales the spread around the mean, not the mean.
/// </summary>
public sealed class NormalInitializer : IInitializer
{
    /// <summary>Creates N(mean, (gain·std)²).</summary>
    public NormalInitializer(double mean = 0, double std = 1, double gain = 1.0)
    {
        Mean = InitChecks.Finite("normal", "mean", mean);
        Std = InitChecks.Positive("normal", "std", std);
        Gain = InitChecks.Gain("normal", gain);
    }

    /// <summary>The mean.</summary>
    public double Mean { get; }

    /// <summary>σ before gain.</summary>
    public double Std { get; }

    /// <summary>Multiplier on σ.</summary>
    public double Gain { get; }

    /// <inheritdoc/>
    public string Spec
    {
        get
        {
            var parts = new List<(string, string)>();
            InitChecks.Gain(parts, Gain);
            if (Mean != 0) parts.Add(("mean", InitSpec.Format(Mean)));
            if (Std != 1) parts.Add(("std", InitSpec.Format(Std)));
            return InitSpec.Format("normal", parts);
        }
    }

    /// <inheritdoc/>
    public Distribution Describe(Fans fans) => Distributions.Normal(Mean, Gain * Std);

    /// <inheritdoc/>
    public void Apply(Tensor tensor, Fans fans, Generator rng) => Draw.Normal(tensor, Mean, Gain * Std, rng);

    /// <inheritdoc/>
    public override string ToString() => Spec;
}
