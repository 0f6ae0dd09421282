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
        ["conv2"] = "Frankle & Carbin's Conv-2: conv 64,64, pool; fc 256,256,10",
        ["conv4"] = "Conv-4: conv 64,64, pool, 128,128, pool; fc 256,256,10",
        ["conv6"] = "Conv-6: conv 64,64, pool, 128,128, pool, 256,256, pool; fc 256,256,10",
        ["resnet20"] = "CIFAR ResNet-20 with batch norm (open_lth's cifar_resnet_20); width after the colon (default 16)",
    };

    /// <summary>Checks a spec without building anything; throws <see cref="FormatException"/> naming the bad part.</summary>
    public static void Validate(string spec) => Parse(spec);

    /// <summary>Builds the model for <paramref name="members"/> cohort members.</summary>
    public static IModel Create(ModelHparams hp, long[] exampleShape, int classes, int members = 1, TorchSharp.torch.Device? device = null)
    {
        var (name, widths) = Parse(hp.Name);
        switch (name)
        {
            case "conv2" or "conv4" or "conv6":
                if (exampleShape.Length != 3 || exampleShape[1] < 8 || exampleShape[2] < 8)
                    throw new FormatException($"model: {name} needs images of at least 8×8, got {string.Join("×", exampleShape)}");
                return new ConvNet(hp.Name, name[^1] - '0', exampleShape, classes, members, device);
            case "resnet20":
                return new ResNet(hp.Name, widths.Length > 0 ? widths[0] : 16, exampleShape, classes, members, device);
        }
        var activation = Activation.Parse(hp.Activation);
        long inputs = exampleShape.Aggregate(1L, (a, b) => a * b);
        return new LeNet(hp.Name, inputs, widths.Length > 0 ? widths : [300, 100], classes, activation, hp.Bias, members, device);
    }

    private static (string Name, int[] Widths) Parse(string spec)
    {
        var s = spec.Trim().ToLowerInvariant();
        int colon = s.IndexOf(':');
        string name = colon < 0 ? s : s[..colon];
        if (!Names.ContainsKey(name))
            throw new FormatException($"model: unknown architecture '{name}' (known: {string.Join(", ", Names.Keys)})");
        if (colon < 0) return (name, []);
        if (name is "conv2" or "conv4" or "conv6") throw new FormatException($"model: {name} takes no widths");
        var parts = s[(colon + 1)..].Split(',', StringSplitOptions.TrimEntries);
        var widths = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out widths[i]) || widths[i] <= 0)
                throw new FormatException($"model: width '{parts[i]}' in '{spec}' is not a positive integer");
        if (name == "resnet20" && widths.Length != 1) throw new FormatException($"model: resnet20 takes one width, e.g. resnet20:16");
        return (name, widths);
    }
}
