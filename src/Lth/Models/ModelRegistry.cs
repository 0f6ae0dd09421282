using System.Globalization;
using Lth.Experiments;

namespace Lth.Models;

/// <summary>
/// The model registry: parses a model spec (<c>lenet:300,100</c>) and builds the network for a
/// dataset's example shape and class count.
/// </summary>
public static class ModelRegistry
{
    /// <summary>Registered architectures with a one-line description.</summary>
    public static IReadOnlyDictionary<string, string> Names { get; } = new Dictionary<string, string>
    {
        ["lenet"] = "fully-connected LeNet, widths after the colon (default lenet:300,100 = LeNet-300-100)",
    };

    /// <summary>Checks a spec without building anything; throws <see cref="FormatException"/> naming the bad part.</summary>
    public static void Validate(string spec) => ParseLeNetWidths(spec);

    /// <summary>Builds the model for <paramref name="members"/> cohort members.</summary>
    public static IModel Create(ModelHparams hp, long[] exampleShape, int classes, int members = 1)
    {
        var activation = Activation.Parse(hp.Activation);
        var widths = ParseLeNetWidths(hp.Name);
        long inputs = exampleShape.Aggregate(1L, (a, b) => a * b);
        return new LeNet(hp.Name, inputs, widths, classes, activation, hp.Bias, members);
    }

    private static int[] ParseLeNetWidths(string spec)
    {
        var s = spec.Trim().ToLowerInvariant();
        int colon = s.IndexOf(':');
        string name = colon < 0 ? s : s[..colon];
        if (!Names.ContainsKey(name))
            throw new FormatException($"model: unknown architecture '{name}' (known: {string.Join(", ", Names.Keys)})");
        if (colon < 0) return [300, 100];
        var parts = s[(colon + 1)..].Split(',', StringSplitOptions.TrimEntries);
        var widths = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out widths[i]) || widths[i] <= 0)
                throw new FormatException($"model: width '{parts[i]}' in '{spec}' is not a positive integer");
        return widths;
    }
}
