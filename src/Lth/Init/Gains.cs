namespace Lth.Init;

/// <summary>
/// The recommended gain per nonlinearity, as PyTorch's <c>torch.nn.init.calculate_gain(nonlinearity, param)</c>
/// computes it, and the spellings used in specs (PyTorch's own names).
/// </summary>
public static class Gains
{
    /// <summary>
    /// <c>calculate_gain</c>: linear/sigmoid 1, tanh 5/3, relu √2, leaky_relu √(2/(1+a²)), selu 3/4.
    /// Unlike PyTorch, the leaky slope has no hidden 0.01 default: <paramref name="negativeSlope"/> is what
    /// <c>kaiming_*_(a=…)</c> passes (default 0).
    /// </summary>
    public static double Calculate(Nonlinearity nonlinearity, double negativeSlope = 0) => nonlinearity switch
    {
        Nonlinearity.Linear or Nonlinearity.Sigmoid => 1.0,
        Nonlinearity.Tanh => 5.0 / 3.0,
        Nonlinearity.Relu => Math.Sqrt(2.0),
        Nonlinearity.LeakyRelu => Math.Sqrt(2.0 / (1.0 + negativeSlope * negativeSlope)),
        Nonlinearity.Selu => 3.0 / 4.0,
        _ => throw new ArgumentOutOfRangeException(nameof(nonlinearity)),
    };

    /// <summary>Spec spelling of each nonlinearity (PyTorch's names: <c>relu</c>, <c>leaky_relu</c>, …).</summary>
    public static IReadOnlyDictionary<string, Nonlinearity> ByName { get; } = new Dictionary<string, Nonlinearity>
    {
        ["linear"] = Nonlinearity.Linear,
        ["sigmoid"] = Nonlinearity.Sigmoid,
        ["tanh"] = Nonlinearity.Tanh,
        ["relu"] = Nonlinearity.Relu,
        ["leaky_relu"] = Nonlinearity.LeakyRelu,
        ["selu"] = Nonlinearity.Selu,
    };

    /// <summary>The spec spelling of <paramref name="nonlinearity"/>.</summary>
    public static string NameOf(Nonlinearity nonlinearity) => ByName.First(kv => kv.Value == nonlinearity).Key;
}
