using static TorchSharp.torch;

namespace Lth.Init;

/// <summary>
/// PyTorch's default weight init for <c>nn.Linear</c> and <c>nn.ConvNd</c> (<c>reset_parameters</c>):
/// <c>torch.nn.init.kaiming_uniform_(w, a=√5)</c>, i.e. gain √(2/(1+5)) = 1/√3, σ = 1/√(3·fan_in) and
/// bound √3·σ = 1/√fan_in: U(−gain/√fan_in, gain/√fan_in).
/// </summary>
public sealed class TorchDefaultInitializer : IInitializer
{
    /// <summary>Creates U(±gain/√fan_in).</summary>
    public TorchDefaultInitializer(double gain = 1.0) => Gain = InitChecks.Gain("torch-default", gain);

    /// <summary>Multiplier on the bound.</summary>
    public double Gain { get; }

    /// <inheritdoc/>
    public string Spec
    {
        get
        {
            var parts = new List<(string, string)>();
            InitChecks.Gain(parts, Gain);
            return InitSpec.Format("torch-default", parts);
        }
    }

    /// <summary>b = gain/√fan_in.</summary>
    public double Bound(Fans fans) => Gain / Math.Sqrt(fans.FanIn);

    /// <inheritdoc/>
    public Distribution Describe(Fans fans) => Distributions.Symmetric(Bound(fans));

    /// <inheritdoc/>
    public void Apply(Tensor tensor, Fans fans, Generator rng)
    {
        double b = Bound(fans);
        Draw.Uniform(tensor, -b, b, rng);
    }

    /// <inheritdoc/>
    public override string ToString() => Spec;
}
