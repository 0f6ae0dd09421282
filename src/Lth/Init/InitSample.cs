using TorchSharp;
using static TorchSharp.torch;

namespace Lth.Init;

/// <summary>
/// One actual draw of a scheme into a tensor of a given shape, with its theoretical distribution and the
/// sample's statistics: what <c>lth inits</c> tabulates and plots. The draw uses a fresh
/// <c>new Generator(seed)</c> and <see cref="IInitializer.Apply(Tensor, Fans, Generator)"/>, so the same
/// spec, shape and seed give the same bits.
/// </summary>
/// <param name="Scheme">The spec as given (an alias stays an alias).</param>
/// <param name="Layer">The layer's name, e.g. <c>fc1.weight</c>.</param>
/// <param name="Shape">The weight's shape, e.g. [300, 784].</param>
/// <param name="Fans">Its fans.</param>
/// <param name="Theory">What the scheme draws from for this shape (<see cref="IInitializer.Describe(long[])"/>).</param>
/// <param name="Mean">Sample mean.</param>
/// <param name="Std">Sample standard deviation (n − 1).</param>
/// <param name="Min">Smallest entry.</param>
/// <param name="Max">Largest entry.</param>
public sealed record InitSample(string Scheme, string Layer, long[] Shape, Fans Fans, Distribution Theory,
    double Mean, double Std, double Min, double Max)
{
    /// <summary>The drawn entries, row-major; null unless the draw was asked to keep them.</summary>
    public float[]? Values { get; init; }

    /// <summary>Draws <paramref name="scheme"/> into a float32 tensor of <paramref name="shape"/>.</summary>
    /// <param name="spec">The spec text to record (parsed to <paramref name="scheme"/> by the caller).</param>
    /// <param name="scheme">The parsed scheme.</param>
    /// <param name="layer">The layer name to record.</param>
    /// <param name="shape">The weight shape (at least 2 dimensions).</param>
    /// <param name="seed">Seed of the generator the draw uses.</param>
    /// <param name="keepValues">Whether to copy the entries into <see cref="Values"/> (for plotting).</param>
    public static InitSample Draw(string spec, IInitializer scheme, string layer, long[] shape, long seed, bool keepValues = false)
    {
        var fans = Fans.Of(shape);
        var theory = scheme.Describe(shape);
        using var scope = torch.NewDisposeScope();
        using var rng = new Generator(unchecked((ulong)seed));
        var w = torch.empty(shape, dtype: ScalarType.Float32);
        scheme.Apply(w, fans, rng);
        var d = w.to_type(ScalarType.Float64);
        double mean = d.mean().item<double>();
        double std = d.numel() > 1 ? d.std().item<double>() : 0.0;
        double min = d.min().item<double>();
        double max = d.max().item<double>();
        return new InitSample(spec, layer, shape, fans, theory, mean, std, min, max)
        {
            Values = keepValues ? w.data<float>().ToArray() : null,
        };
    }
}
