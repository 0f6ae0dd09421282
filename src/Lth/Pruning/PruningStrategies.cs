
namespace Lth.Pruning;

/// <summary>Whether a strategy removes weights or rearranges a given mask.</summary>
public enum StrategyKind
{
    /// <summary>Removes entries that are alive in the current mask, at the level's rates (chosen with <c>--strategy</c>).</summary>
    Pruner,
    /// <summary>Keeps each layer's (or the whole network's) survivor count and moves the survivors (used by <c>--control</c>).</summary>
    MaskTransform,
}

/// <summary>One entry of <see cref="PruningStrategies"/>.</summary>
/// <param name="Name">The value of <c>--strategy</c> (or of <c>--control</c> for a mask transform).</param>
/// <param name="Description">One line for <c>lth strategies</c>.</param>
/// <param name="Kind">Pruner or mask transform.</param>
/// <param name="Flags">The hparam flags this strategy reads beyond the rates; a flag that only other strategies read is refused when given.</param>
/// <param name="Create">A new instance.</param>
/// <param name="AtInit">
/// Pruning at initialization: the runner gives it the run's initial weights and a dense mask with the rates that
/// reach each level's density of the IMP schedule in one step, instead of the previous level's trained weights.
/// </param>
public sealed record PruningStrategy(string Name, string Description, StrategyKind Kind, IReadOnlyList<string> Flags, Func<IPruningStrategy> Create, bool AtInit = false);

/// <summary>
/// The registry of pruning strategies, shaped like the init-scheme registry: name, one-line description,
/// the hparams it reads, a factory. <see cref="Register"/> adds one (docs/architecture.md, "Add a pruning strategy").
/// </summary>
public static class PruningStrategies
{
    private static readonly string[] RateFlags = ["prune", "rate", "rate-output", "rate-conv", "rates", "prune-biases"];
    private static PruningStrategy[] entries =
    [
        new("magnitude", "iterative magnitude pruning (Frankle & Carbin 2019): remove the fraction p of the remaining weights with the smallest |w|",
            StrategyKind.Pruner, RateFlags, () => new MagnitudePruning()),
        new("random", "remove the fraction p of the remaining weights chosen uniformly at random (the same counts as magnitude pruning)",
            StrategyKind.Pruner, RateFlags, () => new RandomPruning()),
        new("magnitude-init", "at initialization: prune the initial weights with the smallest |w| to each level's density",
            StrategyKind.Pruner, RateFlags, () => new MagnitudePruning(), AtInit: true),
        new("snip", "at initialization, SNIP (Lee et al. 2019): prune the smallest |g * w| to each level's density, g the loss gradient on one batch of 10 x classes training examples",
            StrategyKind.Pruner, RateFlags, () => new SnipPruning(), AtInit: true),
        new("grasp", "at initialization, GraSP (Wang et al. 2020): prune the largest -w * Hg (Hessian-gradient product on 10 examples per class, logits divided by --grasp-temperature) to each level's density",
            StrategyKind.Pruner, [.. RateFlags, "grasp-temperature"], () => new GraspPruning(), AtInit: true),
        new("synflow", "at initialization, iterative SynFlow (Tanaka et al. 2020), data-free: prune the smallest |w * dR/dw| of the all-|W| network to each level's density over --synflow-rounds rounds (exponential schedule)",
            StrategyKind.Pruner, [.. RateFlags, "synflow-rounds"], () => new SynflowPruning(), AtInit: true),
        new("random-prune", "a random mask with the given mask's per-layer survivor counts",
            StrategyKind.MaskTransform, RateFlags, () => new RandomMask(RandomMask.Mode.PerLayer)),
        new("random-prune-global", "a random mask with the given mask's total survivor count spread over every pruned tensor",
            StrategyKind.MaskTransform, RateFlags, () => new RandomMask(RandomMask.Mode.Global)),
        new("shuffle", "the given mask permuted within each layer (each layer keeps its density)",
            StrategyKind.MaskTransform, RateFlags, () => new RandomMask(RandomMask.Mode.Shuffle)),
    ];
    private static readonly object Gate = new();

    public static IReadOnlyList<PruningStrategy> All => entries;

    /// <summary>Adds (or replaces) a strategy; a pruner becomes a valid value of <c>--strategy</c>.</summary>
    public static void Register(PruningStrategy strategy)
    {
        var name = strategy.Name.Trim().ToLowerInvariant();
        if (name.Length == 0 || name.Contains(':') || name.Contains(',')) throw new ArgumentException($"strategy name '{strategy.Name}' must be non-empty, without ':' or ','");
        lock (Gate) entries = entries.Where(e => e.Name != name).Append(strategy with { Name = name }).ToArray();
    }

    /// <summary>Removes a strategy added with <see cref="Register"/>.</summary>
    public static void Unregister(string name)
    {
        lock (Gate) entries = entries.Where(e => e.Name != name).ToArray();
    }

    /// <summary>The strategy called <paramref name="name"/>; throws <see cref="FormatException"/> listing the known ones.</summary>
    public static PruningStrategy Get(string name, StrategyKind kind = StrategyKind.Pruner)
    {
        var n = name.Trim().ToLowerInvariant();
        return entries.FirstOrDefault(e => e.Name == n && e.Kind == kind)
            ?? throw new FormatException($"strategy: unknown {(kind == StrategyKind.Pruner ? "strategy" : "mask transform")} '{name}' (known: {string.Join(", ", entries.Where(e => e.Kind == kind).Select(e => e.Name))})");
    }

    /// <summary>The canonical name (lower case) of a pruner; throws for an unknown one.</summary>
    public static string Canonical(string name) => Get(name).Name;

    /// <summary>Refuses a flag, given with a non-default value, that only strategies other than the chosen one read.</summary>
    public static void CheckFlags(LotteryHparams hp)
    {
        var chosen = Get(hp.Pruning.Strategy);
        var defaults = new LotteryHparams();
        foreach (var flag in entries.SelectMany(e => e.Flags).Distinct().Where(f => !chosen.Flags.Contains(f)))
        {
            var f = Hparams.Field(flag);
            if (f.Format(f.Get(hp)) != f.Format(f.Get(defaults)))
                throw new HparamsException($"--{flag}: not used by --strategy {chosen.Name} (used by {string.Join(", ", entries.Where(e => e.Flags.Contains(flag)).Select(e => e.Name))})");
        }
    }
}
