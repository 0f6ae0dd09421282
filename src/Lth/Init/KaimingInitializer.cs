using static TorchSharp.torch;

namespace Lth.Init;

/// <summary>
/// He/Kaiming initialization (He et al. 2015). <c>kaiming-uniform</c> maps to PyTorch's
/// <c>torch.nn.init.kaiming_uniform_(a, mode, nonlinearity)</c>, <c>kaiming-normal</c> to <c>kaiming_normal_</c>:
/// σ = gain · calculate_gain(nonlinearity, a) / √fan where fan is fan_in or fan_out (<c>mode</c>);
/// the uniform variant draws U(−√3·σ, √3·σ). The spec's <c>gain=</c> multiplies σ (PyTorch has no such argument).
/// </summary>
public sealed class KaimingInitializer : ScaledInitializer
{
    /// <summary>Creates the uniform or normal variant.</summary>
    /// <param name="uniform">True for U(−√3σ, √3σ), false for N(0, σ²).</param>
    /// <param name="mode">Which fan scales σ (PyTorch default fan_in).</param>
    /// <param name="nonlinearity">The nonlinearity whose gain is used (PyTorch's kaiming default is leaky_relu with a=0, i.e. relu).</param>
    /// <param name="negativeSlope">Leaky ReLU slope <c>a</c>; only with <see cref="Nonlinearity.LeakyRelu"/>.</param>
    /// <param name="gain">Multiplier on σ.</param>
    public KaimingInitializer(bool uniform, FanMode mode = FanMode.FanIn, Nonlinearity nonlinearity = Nonlinearity.Relu,
        double negativeSlope = 0, double gain = 1.0)
        : base(uniform, gain)
    {
        Mode = mode;
        Nonlinearity = nonlinearity;
        NegativeSlope = InitChecks.Finite(Name, "a", negativeSlope);
        if (negativeSlope != 0 && nonlinearity != Nonlinearity.LeakyRelu)
            throw new InitSpecException($"init '{Name}': a={InitSpec.Format(negativeSlope)} applies only to nonlinearity=leaky_relu, not {Gains.NameOf(nonlinearity)}");
    }

    /// <summary>fan_in or fan_out.</summary>
    public FanMode Mode { get; }

    /// <summary>The nonlinearity whose <c>calculate_gain</c> is used.</summary>
    public Nonlinearity Nonlinearity { get; }

    /// <summary>Leaky ReLU slope <c>a</c>.</summary>
    public double NegativeSlope { get; }

    /// <summary><c>kaiming-uniform</c> or <c>kaiming-normal</c>.</summary>
    public override string Name => Uniform ? "kaiming-uniform" : "kaiming-normal";

    /// <inheritdoc/>
    protected override void AddSpecParts(List<(string Key, string Value)> parts)
    {
        if (Mode != FanMode.FanIn) parts.Add(("mode", "fan_out"));
        if (Nonlinearity != Nonlinearity.Relu) parts.Add(("nonlinearity", Gains.NameOf(Nonlinearity)));
        if (NegativeSlope != 0) parts.Add(("a", InitSpec.Format(NegativeSlope)));
    }

    /// <summary>σ = gain · calculate_gain(nonlinearity, a) / √fan.</summary>
    public override double Std(Fans fans)
    {
        long fan = Mode == FanMode.FanIn ? fans.FanIn : fans.FanOut;
        return Gain * Gains.Calculate(Nonlinearity, NegativeSlope) / Math.Sqrt(fan);
    }
}
