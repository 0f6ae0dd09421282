using System.Globalization;
using static TorchSharp.torch;

namespace Lth.Models;

/// <summary>Hidden-layer nonlinearity: <c>relu</c> or <c>leaky-relu:SLOPE</c> (torch.nn.functional.relu / leaky_relu).</summary>
public sealed record Activation(string Kind, double Slope)
{
    public static Activation Parse(string spec)
    {
        var s = spec.Trim().ToLowerInvariant();
        if (s == "relu") return new("relu", 0);
        if (s == "leaky-relu") return new("leaky-relu", 0.01);
        if (s.StartsWith("leaky-relu:") && double.TryParse(s["leaky-relu:".Length..], NumberStyles.Float, CultureInfo.InvariantCulture, out var a) && a >= 0 && a < 1)
            return new("leaky-relu", a);
        throw new FormatException($"activation: '{spec}' is not relu or leaky-relu:SLOPE (0 <= SLOPE < 1)");
    }

    /// <summary>The canonical spec: <c>relu</c> or <c>leaky-relu:SLOPE</c> (slope in round-trip form).</summary>
    public string Spec => Kind == "relu" ? "relu" : "leaky-relu:" + Slope.ToString("R", CultureInfo.InvariantCulture);

    public Tensor Apply(Tensor x) => Kind == "relu" ? nn.functional.relu(x) : nn.functional.leaky_relu(x, Slope);
}
