using System.Globalization;
using static TorchSharp.torch;

namespace Lth.Models;

/// <summary>
/// One architecture family in <see cref="ModelRegistry"/>: its name, a one-line description, which model
/// hparams it uses (a flag it does not use is refused, not ignored), how its arguments after the colon are
/// written canonically, and a factory.
/// </summary>
/// <param name="Name">The spec name, e.g. <c>lenet</c> in <c>lenet:300,100</c>.</param>
/// <param name="Description">One line for <c>lth presets</c> and the docs.</param>
/// <param name="UsesActivation">Whether <c>--activation</c> changes the network.</param>
/// <param name="UsesBias">Whether <c>--bias</c> changes the network.</param>
/// <param name="HasConv">Whether it has convolutional layers (so <c>--rate-conv</c> applies).</param>
/// <param name="Canonical">The canonical spec from the comma-separated integer arguments (empty when none were given); throws <see cref="FormatException"/> for arguments it does not take.</param>
/// <param name="Create">Builds the network: hparams, example shape, class count, cohort members, device.</param>
public sealed record ModelFamily(
    string Name, string Description, bool UsesActivation, bool UsesBias, bool HasConv,
    Func<int[], string> Canonical,
    Func<ModelHparams, ModelArgs, IModel> Create);

/// <summary>What a model factory gets besides the hparams: the parsed widths and the shapes it must fit.</summary>
public sealed record ModelArgs(int[] Widths, long[] ExampleShape, int Classes, int Members, Device? Device);

/// <summary>
/// The model registry: parses a model spec (<c>lenet:300,100</c>), writes it canonically (so that
/// <c>lenet</c> and <c>LeNet:300,100</c> are one run), and builds the network for a dataset's example shape
/// and class count. <see cref="Register"/> adds a family (docs/architecture.md, "Add a model").
/// </summary>
public static class ModelRegistry
{
    // Copy-on-write, so that a registration never disturbs a lookup running on another thread.
    private static ModelFamily[] families = [];
    private static readonly object Gate = new();

    static ModelRegistry()
    {
        Register(new("lenet", "fully-connected LeNet, widths after the colon (default lenet:300,100 = LeNet-300-100)",
            UsesActivation: true, UsesBias: true, HasConv: false,
            w => "lenet:" + string.Join(",", (w.Length > 0 ? w : [300, 100]).Select(x => x.ToString(CultureInfo.InvariantCulture))),
            (hp, a) => new LeNet(hp.Name, a.ExampleShape.Aggregate(1L, (x, y) => x * y), a.Widths.Length > 0 ? a.Widths : [300, 100],
                                 a.Classes, Activation.Parse(hp.Activation), hp.Bias, a.Members, a.Device)));
        foreach (var (depth, layers) in new[] { (2, "conv 64,64, pool"), (4, "conv 64,64, pool, 128,128, pool"), (6, "conv 64,64, pool, 128,128, pool, 256,256, pool") })
            Register(new($"conv{depth}", (depth == 2 ? "Frankle & Carbin's Conv-2: " : $"Conv-{depth}: ") + layers + "; fc 256,256,10",
                UsesActivation: false, UsesBias: false, HasConv: true,
                w => w.Length == 0 ? $"conv{depth}" : throw new FormatException($"model: conv{depth} takes no widths"),
                (hp, a) => ConvNet.Create(hp.Name, depth, a)));
        Register(new("resnet20", "CIFAR ResNet-20 with batch norm (open_lth's cifar_resnet_20); width after the colon (default 16)",
            UsesActivation: false, UsesBias: false, HasConv: true,
            w => w.Length switch
            {
                0 => "resnet20",
                1 => w[0] == 16 ? "resnet20" : $"resnet20:{w[0].ToString(CultureInfo.InvariantCulture)}",
                _ => throw new FormatException("model: resnet20 takes one width, e.g. resnet20:16"),
            },
            (hp, a) => new ResNet(hp.Name, a.Widths.Length > 0 ? a.Widths[0] : 16, a.ExampleShape, a.Classes, a.Members, a.Device)));
    }

    /// <summary>Adds (or replaces) a family; its specs become valid values of <c>--model</c>.</summary>
    public static void Register(ModelFamily family)
    {
        lock (Gate)
        {
            int at = Array.FindIndex(families, f => f.Name == family.Name);
            families = at >= 0 ? families.Select((f, i) => i == at ? family : f).ToArray() : [.. families, family];
        }
    }

    /// <summary>Removes a family added with <see cref="Register"/>.</summary>
    public static void Unregister(string name)
    {
        lock (Gate) families = families.Where(f => f.Name != name).ToArray();
    }

    /// <summary>Registered architectures with a one-line description, in registration order.</summary>
    public static IReadOnlyDictionary<string, string> Names => families.ToDictionary(f => f.Name, f => f.Description);

    /// <summary>The family of a spec; throws <see cref="FormatException"/> naming the bad part.</summary>
    public static ModelFamily Family(string spec) => Parse(spec).Family;

    /// <summary>The canonical spec (lower case, default arguments written as the presets write them).</summary>
    public static string Canonical(string spec)
    {
        var (family, widths) = Parse(spec);
        return family.Canonical(widths);
    }

    /// <summary>Checks a spec without building anything; throws <see cref="FormatException"/> naming the bad part.</summary>
    public static void Validate(string spec) => Canonical(spec);

    /// <summary>Builds the model for <paramref name="members"/> cohort members.</summary>
    public static IModel Create(ModelHparams hp, long[] exampleShape, int classes, int members = 1, Device? device = null)
    {
        var (family, widths) = Parse(hp.Name);
        var model = family.Create(hp, new ModelArgs(widths, exampleShape, classes, members, device));
        if (model is FlatModel flat && flat.ExampleShape is null) flat.ExampleShape = [.. exampleShape];
        return model;
    }

    private static (ModelFamily Family, int[] Widths) Parse(string spec)
    {
        var s = spec.Trim().ToLowerInvariant();
        int colon = s.IndexOf(':');
        string name = colon < 0 ? s : s[..colon];
        var family = families.FirstOrDefault(f => f.Name == name)
            ?? throw new FormatException($"model: unknown architecture '{name}' (known: {string.Join(", ", families.Select(f => f.Name))})");
        if (colon < 0) return (family, []);
        var parts = s[(colon + 1)..].Split(',', StringSplitOptions.TrimEntries);
        var widths = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out widths[i]) || widths[i] <= 0)
                throw new FormatException($"model: width '{parts[i]}' in '{spec}' is not a positive integer");
        return (family, widths);
    }
}
