namespace Lth.Init;

/// <summary>Builders for the <see cref="Distribution"/> values the schemes describe themselves with.</summary>
internal static class Distributions
{
    public static Distribution Normal(double mean, double std) => new("normal", mean, std);

    public static Distribution Uniform(double low, double high) =>
        new("uniform", 0.5 * (low + high), (high - low) / Math.Sqrt(12.0), low, high);

    public static Distribution Symmetric(double bound) => Uniform(-bound, bound);
}
