using static TorchSharp.torch;

namespace Lth.Init;

/// <summary>
/// The shape Xavier, Kaiming and LeCun share: zero-mean, with a scale σ computed from the fans, drawn
/// either from N(0, σ²) or from U(−√3σ, √3σ) (the uniform with the same std). Subclasses give σ, the name
/// and the spec; drawing and describing are here, once.
/// </summary>
public abstract class ScaledInitializer(bool uniform) : IInitializer
{
    /// <summary>True for U(−√3σ, √3σ), false for N(0, σ²).</summary>
    public bool Uniform { get; } = uniform;

    /// <summary>The scheme's name, e.g. <c>xavier-normal</c>.</summary>
    public abstract string Name { get; }

    /// <inheritdoc/>
    public abstract string Spec { get; }

    /// <summary>The standard deviation for these fans (gain included).</summary>
    public abstract double Std(Fans fans);

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
