using static TorchSharp.torch;

namespace Lth.Init;

/// <summary>
/// Glorot/Xavier initialization (Glorot &amp; Bengio 2010). <c>xavier-uniform</c> maps to PyTorch's
/// <c>torch.nn.init.xavier_uniform_</c>: U(−b, b) with b = gain·√(6/(fan_in+fan_out));
/// <c>xavier-normal</c> maps to <c>torch.nn.init.xavier_normal_</c>: N(0, σ²) with σ = gain·√(2/(fan_in+fan_out)).
/// (TorchSharp 0.107's own <c>xavier_normal_</c> draws a uniform distribution; this one draws a normal.)
/// </summary>
public sealed class XavierInitializer : IInitializer
{
    /// <summary>Creates the uniform (<paramref name="uniform"/> true) or normal variant with the given gain.</summary>
    public XavierInitializer(bool uniform, double gain = 1.0)
    {
        Uniform = uniform;
        Gain = InitChecks.Gain(Name, gain);
    }

    /// <summary>True for U(−b, b), false for N(0, σ²).</summary>
    public bool Uniform { get; }

    /// <summary>Multiplier on σ (and on the bound).</summary>
    public double Gain { get; }

    /// <summary><c>xavier-uniform</c> or <c>xavier-normal</c>.</summary>
    public string Name => Uniform ? "xavier-uniform" : "xavier-normal";

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

    /// <summary>σ = gain·√(2/(fan_in+fan_out)).</summary>
    public double Std(Fans fans) => Gain * Math.Sqrt(2.0 / (fans.FanIn + fans.FanOut));

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
