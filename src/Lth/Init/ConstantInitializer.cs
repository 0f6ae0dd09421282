using static TorchSharp.torch;

namespace Lth.Init;

/// <summary>
/// Every entry equal to gain·value, as PyTorch's <c>torch.nn.init.constant_(w, value)</c>
/// (<c>value=</c>, default 0, which is <c>torch.nn.init.zeros_</c>). Draws nothing from the generator.
/// </summary>
public sealed class ConstantInitializer : IInitializer
{
    /// <summary>Creates the constant gain·value.</summary>
    public ConstantInitializer(double value = 0, double gain = 1.0)
    {
        Value = InitChecks.Finite("constant", "value", value);
        Gain = InitChecks.Gain("constant", gain);
    }

    /// <summary>The value before gain.</summary>
    public double Value { get; }

    /// <summary>Multiplier on the value.</summary>
    public double Gain { get; }

    /// <inheritdoc/>
    public string Spec
    {
        get
        {
            var parts = new List<(string, string)>();
            InitChecks.Gain(parts, Gain);
            if (Value != 0) parts.Add(("value", InitSpec.Format(Value)));
            return InitSpec.Format("constant", parts);
        }
    }

    /// <inheritdoc/>
    public Distribution Describe(Fans fans) => new("constant", Gain * Value, 0, Gain * Value, Gain * Value);

    /// <inheritdoc/>
    public void Apply(Tensor tensor, Fans fans, Generator rng) => Draw.Constant(tensor, Gain * Value);

    /// <inheritdoc/>
    public override string ToString() => Spec;
}
