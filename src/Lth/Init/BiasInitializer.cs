using static TorchSharp.torch;

namespace Lth.Init;

/// <summary>How biases are initialized; an explicit choice separate from the weight scheme.</summary>
public enum BiasInitKind
{
    /// <summary>All zeros (<c>torch.nn.init.zeros_</c>), as in the lottery ticket paper's code.</summary>
    Zeros,
    /// <summary>PyTorch's Linear/Conv default bias: U(±1/√fan_in of the weight) (<c>reset_parameters</c>).</summary>
    TorchDefault,
    /// <summary>The weight's scheme, with the weight's fans.</summary>
    Same,
}

/// <summary>
/// A bias initialization: <c>zeros</c> | <c>torch-default</c> | <c>same</c>. Biases draw from the same
/// generator as the weights, in the order the caller applies them.
/// </summary>
public sealed class BiasInit
{
    private BiasInit(BiasInitKind kind) => Kind = kind;

    /// <summary>All zeros.</summary>
    public static BiasInit Zeros { get; } = new(BiasInitKind.Zeros);

    /// <summary>PyTorch's default bias init, U(±1/√fan_in).</summary>
    public static BiasInit TorchDefault { get; } = new(BiasInitKind.TorchDefault);

    /// <summary>The weight scheme with the weight's fans.</summary>
    public static BiasInit Same { get; } = new(BiasInitKind.Same);

    /// <summary>Which of the three.</summary>
    public BiasInitKind Kind { get; }

    /// <summary>The spec names, in order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["zeros", "torch-default", "same"];

    /// <summary>A one-line description per name.</summary>
    public static IReadOnlyDictionary<string, string> Descriptions { get; } = new Dictionary<string, string>
    {
        ["zeros"] = "all zeros — torch.nn.init.zeros_",
        ["torch-default"] = "PyTorch's Linear/Conv default bias U(±1/√fan_in of the weight)",
        ["same"] = "the weight's scheme, with the weight's fans",
    };

    /// <summary>The canonical spec: <c>zeros</c>, <c>torch-default</c> or <c>same</c>.</summary>
    public string Spec => Names[(int)Kind];

    /// <summary>Parses <c>zeros</c>, <c>torch-default</c> or <c>same</c>; throws <see cref="InitSpecException"/> otherwise.</summary>
    public static BiasInit Parse(string spec)
    {
        string name = (spec ?? "").Trim().ToLowerInvariant();
        return name switch
        {
            "zeros" => Zeros,
            "torch-default" => TorchDefault,
            "same" => Same,
            _ => throw new InitSpecException($"unknown bias init '{spec}'; known: {string.Join(", ", Names)}"),
        };
    }

    /// <summary>Fills <paramref name="bias"/> in place.</summary>
    /// <param name="bias">The bias (any shape; a view into a larger buffer is filled, not replaced).</param>
    /// <param name="weightFans">The fans of the weight this bias belongs to.</param>
    /// <param name="weightScheme">The weight's scheme (used by <c>same</c>).</param>
    /// <param name="rng">The generator to draw from.</param>
    public void Apply(Tensor bias, Fans weightFans, IInitializer weightScheme, Generator rng)
    {
        switch (Kind)
        {
            case BiasInitKind.Zeros:
                Draw.Constant(bias, 0);
                break;
            case BiasInitKind.TorchDefault:
                double bound = weightFans.FanIn > 0 ? 1.0 / Math.Sqrt(weightFans.FanIn) : 0.0;
                Draw.Uniform(bias, -bound, bound, rng);
                break;
            case BiasInitKind.Same:
                weightScheme.Apply(bias, weightFans, rng);
                break;
        }
    }

    /// <summary>The distribution of the bias for a weight with the given fans and scheme.</summary>
    public Distribution Describe(Fans weightFans, IInitializer weightScheme) => Kind switch
    {
        BiasInitKind.Zeros => new Distribution("constant", 0, 0, 0, 0),
        BiasInitKind.TorchDefault => Distributions.Symmetric(1.0 / Math.Sqrt(weightFans.FanIn)),
        _ => weightScheme.Describe(weightFans),
    };

    /// <inheritdoc/>
    public override string ToString() => Spec;
}
