namespace Lth.Foundations;

/// <summary>
/// The control branch of a lottery experiment (<c>--control</c>). A control takes each level's mask from the
/// same run without control (its "source") and changes the weights or the mask; see <c>Experiments/Controls.cs</c>.
/// On the command line and on disk each value is written in kebab case (<c>random-prune-global</c>).
/// </summary>
public enum Control
{
    /// <summary>The lottery run itself.</summary>
    None,
    /// <summary>The source's mask, fresh weights from the same scheme (a new draw).</summary>
    Reinit,
    /// <summary>The source's mask, fresh magnitudes with the original signs.</summary>
    ReinitSigned,
    /// <summary>A random mask with the source mask's per-layer counts, the original weights.</summary>
    RandomPrune,
    /// <summary>A random mask with the source mask's total count spread over all pruned tensors.</summary>
    RandomPruneGlobal,
    /// <summary>The source's mask permuted within each layer, the original weights.</summary>
    Shuffle,
}

/// <summary>What happens to the optimizer between levels (<c>--optimizer-state</c>).</summary>
public enum OptimizerState
{
    /// <summary>A fresh optimizer at each level (Frankle &amp; Carbin).</summary>
    Fresh,
    /// <summary>The optimizer state carried across levels (the seed study's shared Adam).</summary>
    Carry,
}

/// <summary>Where a pruning strategy ranks its scores (<c>--prune</c>).</summary>
public enum PruneScope
{
    /// <summary>Each tensor at its own rate.</summary>
    Layerwise,
    /// <summary>One ranking across all pruned tensors that share the hidden-layer rate; the output layer keeps its own.</summary>
    Global,
}

/// <summary>The text form of choice values: <c>RandomPruneGlobal</c> ↔ <c>random-prune-global</c>.</summary>
public static class ChoiceText
{
    public static string Of<T>(T value) where T : struct, Enum => Kebab(value.ToString());

    /// <summary>The kebab-case names of every value of an enum, in declaration order.</summary>
    public static IReadOnlyList<string> Names(Type enumType) => Enum.GetNames(enumType).Select(Kebab).ToArray();

    public static string Kebab(string pascal)
    {
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < pascal.Length; i++)
        {
            if (char.IsUpper(pascal[i]) && i > 0) sb.Append('-');
            sb.Append(char.ToLowerInvariant(pascal[i]));
        }
        return sb.ToString();
    }

    /// <summary>Parses a kebab-case (or any-case) name; null when it names no value.</summary>
    public static object? Parse(Type enumType, string text)
    {
        var t = text.Trim().ToLowerInvariant();
        foreach (var name in Enum.GetNames(enumType))
            if (Kebab(name) == t) return Enum.Parse(enumType, name);
        return null;
    }
}

/// <summary>How pixels are fed to the network (<c>--inputs</c>).</summary>
public enum InputScaling
{
    /// <summary>Standardized per channel with the mean and standard deviation of the training split used.</summary>
    Standardize,
    /// <summary>8-bit pixels divided by 255, so in [0, 1], not centred (the seed study's ToTensor()).</summary>
    UnitRange,
}

/// <summary>Where each level's data order starts (<c>--data-order</c>).</summary>
public enum DataOrderMode
{
    /// <summary>Every level replays the data order from its first epoch (Frankle &amp; Carbin; open_lth).</summary>
    Restart,
    /// <summary>The order continues across levels, as one training loop over all rounds would (the seed study).</summary>
    Continuous,
}
