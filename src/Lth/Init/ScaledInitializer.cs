using static TorchSharp.torch;

namespace Lth.Init;

/// <summary>
/// The shape Xavier, Kaiming and LeCun share: zero-mean, with a scale σ computed from the fans, drawn
/// either from N(0, σ²) or from U(−√3σ, √3σ) (the uniform with the same std). Subclasses give σ, the name
/// and the spec options beyond the gain; drawing, describing and the spec are here, once.
/// </summary>
public abstract class ScaledInitializer : IInitializer
{
    /// <summary>Sets the variant and checks the user's multiplier on σ.</summary>
    protected ScaledInitializer(bool uniform, double gain)
    {
        Uniform = uniform;
        Gain = InitChecks.Gain(Name, gain);
    }

    /// <summary>True for U(−√3σ, √3σ), false for N(0, σ²).</summary>
    public bool Uniform { get; }

    /// <summary>The user's multiplier on σ (and on the uniform bound); <c>gain=</c> in the spec.</summary>
    public double Gain { get; }

    /// <summary>The scheme's name, e.g. <c>xavier-normal</c>.</summary>
    public abstract string Name { get; }

    /// <inheritdoc/>
    public string Spec
    {
        get
        {
            var parts = new List<(string, string)>();
            InitChecks.Gain(parts, Gain);
            AddSpecParts(parts);
            return InitSpec.Format(Name, parts);
        }
    }

    /// <summary>Options beyond <c>gain=</c> that differ from their defaults, in spec order.</summary>
    protected virtual void AddSpecParts(List<(string Key, string Value)> parts) { }

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
