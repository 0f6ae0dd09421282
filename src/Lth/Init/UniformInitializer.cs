using static TorchSharp.torch;

namespace Lth.Init;

/// <summary>
/// Fan-independent uniform, as PyTorch's <c>torch.nn.init.uniform_(w, a=low, b=high)</c>: U(low, high), default U(0, 1).
/// <c>gain=</c> scales the half-width around the centre: U(c − gain·h, c + gain·h) with c = (low+high)/2,
/// h = (high−low)/2; so <c>uniform:gain=2</c> is U(−0.5, 1.5).
/// </summary>
public sealed class UniformInitializer : IInitializer
{
    /// <summary>Creates U(low, high) with the half-width scaled by gain.</summary>
    public UniformInitializer(double low = 0, double high = 1, double gain = 1.0)
    {
        Low = InitChecks.Finite("uniform", "low", low);
        High = InitChecks.Finite("uniform", "high", high);
        if (!(low < high))
            throw new InitSpecException($"init 'uniform': low must be less than high, got low={InitSpec.Format(low)}, high={InitSpec.Format(high)}");
        Gain = InitChecks.Gain("uniform", gain);
    }

    /// <summary>Lower end before gain.</summary>
    public double Low { get; }

    /// <summary>Upper end before gain.</summary>
    public double High { get; }

    /// <summary>Multiplier on the half-width around the centre.</summary>
    public double Gain { get; }

    /// <inheritdoc/>
    public string Spec
    {
        get
        {
            var parts = new List<(string, string)>();
            InitChecks.Gain(parts, Gain);
            if (Low != 0) parts.Add(("low", InitSpec.Format(Low)));
            if (High != 1) parts.Add(("high", InitSpec.Format(High)));
            return InitSpec.Format("uniform", parts);
        }
    }

    private (double Low, double High) Range()
    {
        double c = 0.5 * (Low + High), h = 0.5 * (High - Low) * Gain;
        return (c - h, c + h);
    }

    /// <inheritdoc/>
    public Distribution Describe(Fans fans)
    {
        var (low, high) = Range();
        return Distributions.Uniform(low, high);
    }

    /// <inheritdoc/>
    public void Apply(Tensor tensor, Fans fans, Generator rng)
    {
        var (low, high) = Range();
        Draw.Uniform(tensor, low, high, rng);
    }

    /// <inheritdoc/>
    public override string ToString() => Spec;
}
