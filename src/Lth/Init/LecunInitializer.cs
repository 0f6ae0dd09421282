using static TorchSharp.torch;

namespace Lth.Init;

/// <summary>
/// LeCun initialization (LeCun et al. 1998): σ = gain/√fan_in. PyTorch has no named function; it equals
/// <c>torch.nn.init.kaiming_normal_(w, nonlinearity='linear')</c> (normal) and
/// <c>kaiming_uniform_(w, nonlinearity='linear')</c> (uniform, U(−√3σ, √3σ)).
/// </summary>
public sealed class LecunInitializer : IInitializer
{
    /// <summary>Creates the uniform or normal variant.</summary>
    public LecunInitializer(bool uniform, double gain = 1.0)
    {
        Uniform = uniform;
        Gain = InitChecks.Gain(Name, gain);
    }

    /// <summary>True for U(−√3σ, √3σ), false for N(0, σ²).</summary>
    public bool Uniform { get; }

    /// <summary>Multiplier on σ.</summary>
    public double Gain { get; }

    /// <summary><c>lecun-uniform</c> or <c>lecun-normal</c>.</summary>
    public string Name => Uniform ? "lecun-uniform" : "lecun-normal";

    /// <inheritdoc/>
    public string Spec
    {
        get
        {
            var parts = new List<(string, string)>();
            InitChecks.Gain(parts, Gain);
            return InitSpec.Format(Name, parts);
        }
    }

    /// <summary>σ = gain/√fan_in.</summary>
    public double Std(Fans fans) => Gain / Math.Sqrt(fans.FanIn);

    /// <inheritdoc/>
    public Distribution Describe(Fans fans) =>
        Uniform ? Distributions.Symmetric(Math.Sqrt(3.0) * Std(fans)) : Distributions.Normal(0, Std(fans));

    /// <inheritdoc/>
    public void Apply(Tensor tensor, Fans fans, Generator rng)
    {
        double std = Std(fans);
        if (Uniform) Draw.Uniform(tensor, -Math.Sqrt(3.0) * std, Math.Sqrt(3.0) * std, rng);
        else Draw.Normal(tensor, 0, std, rng);
    }

    /// <inheritdoc/>
    public override string ToString() => Spec;
}
