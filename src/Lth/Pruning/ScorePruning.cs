using Lth.Models;
using static TorchSharp.torch;

namespace Lth.Pruning;

/// <summary>
/// The shared core of pruners that rank weights by a score and remove the lowest: per level, ceil(p · alive)
/// of the alive entries (as open_lth rounds). Layerwise: each tensor at its own rate (<see cref="PruningRates"/>).
/// Global: one ranking across every tensor pruned at a non-zero rate except the output layer, at the
/// hidden-layer rate <c>--rate</c>; the output layer keeps its own layerwise rate. Entries already pruned
/// are never chosen to survive. Ties are broken by libtorch's topk.
/// </summary>
/// <remarks>
/// Which tensors are scored and ranked: every tensor with a non-zero rate, that is the weights at their
/// kind's rate (or <c>--rates</c>), biases only with <c>--prune-biases</c>, never batch-norm parameters.
/// A subclass gives its scores in one of two ways: per tensor (<see cref="Score"/>, called once per tensor
/// and member, in layout order), or for the whole network at once (<see cref="ScoreNetwork"/>, called once
/// per round with gradients enabled: one forward and backward may score every member). A subclass may also
/// prune in several rounds (<see cref="Rounds"/>), re-scoring the network masked by the previous round.
/// </remarks>
public abstract class ScorePruning : IPruningStrategy
{
    /// <summary>The score of every entry of <paramref name="p"/> for <paramref name="member"/> (higher survives), flattened.</summary>
    /// <remarks>Only called when <see cref="ScoreNetwork"/> returns null.</remarks>
    protected virtual Tensor Score(PruningContext context, ParameterInfo p, int member) =>
        throw new NotImplementedException($"{GetType().Name}: override Score or ScoreNetwork");

    /// <summary>
    /// Every score of every member at once, laid out like <see cref="IModel.Flat"/> (higher survives), or null
    /// to be asked per tensor through <see cref="Score"/>. Called once per round, with gradients enabled, before
    /// any ranking; the caller disposes the result. <paramref name="context"/>'s <see cref="PruningContext.Current"/>
    /// is the mask in force at the start of the round.
    /// </summary>
    protected virtual Tensor? ScoreNetwork(PruningContext context) => null;

    /// <summary>The number of rounds of scoring and ranking in one <see cref="Prune"/> call (1: one-shot ranking).</summary>
    /// <remarks>
    /// Round r of R keeps, of the A entries of a ranked group alive at the start of the call,
    /// A − ceil(A · (1 − (1 − p)^(r/R))) (never fewer than the last round's count); the last round keeps exactly
    /// what one round would keep, A − ceil(p · A). Each round ranks only the entries alive after the previous one.
    /// </remarks>
    protected virtual int Rounds(PruningContext context) => 1;

    /// <summary>
    /// The score given to entries already pruned, below every score of an alive entry (−1 for scores that are
    /// never negative; −∞ where scores are signed).
    /// </summary>
    protected virtual float PrunedScore => -1f;

    public Mask Prune(PruningContext context)
    {
        var (model, current, hp) = (context.Model, context.Current, context.Hparams);
        var layout = model.Layout;
        var groups = Groups(layout, hp);
        int rounds = Rounds(context);
        if (rounds < 1) throw new ArgumentOutOfRangeException(nameof(context), "rounds must be >= 1");
        // Alive counts per member and group at the start: every round's target is a fraction of them.
        var start = new long[layout.Members, groups.Count];
        for (int m = 0; m < layout.Members; m++)
            for (int g = 0; g < groups.Count; g++) start[m, g] = AliveCount(current, groups[g].Params, m);

        var next = new Mask(layout, current.Flat.clone());
        Mask? roundStart = null;   // the mask at the start of rounds after the first (owned here)
        try
        {
            for (int r = 1; r <= rounds; r++)
            {
                var rc = roundStart is null ? context : context with { Current = roundStart };
                using (var network = ScoreNetwork(rc))
                using (no_grad())
                using (NewDisposeScope())
                    for (int m = 0; m < layout.Members; m++)
                        for (int g = 0; g < groups.Count; g++)
                            Keep(rc, network, next, groups[g].Params, KeepCount(start[m, g], groups[g].Rate, r, rounds), m);
                if (r < rounds)
                {
                    roundStart?.Dispose();
                    roundStart = new Mask(layout, next.Flat.clone());
                }
            }
        }
        catch
        {
            next.Dispose();
            throw;
        }
        finally
        {
            roundStart?.Dispose();
        }
        return next;
    }

    /// <summary>
    /// The scores of one round on <paramref name="context"/>'s mask, laid out like <see cref="IModel.Flat"/>, for
    /// analysis and tests: <see cref="ScoreNetwork"/>'s buffer, or else <see cref="Score"/> of every ranked tensor
    /// (zero elsewhere). Only the ranked tensors' alive entries are meaningful. The caller disposes the result.
    /// </summary>
    public Tensor Scores(PruningContext context)
    {
        if (ScoreNetwork(context) is { } network) return network;
        var model = context.Model;
        var all = zeros(model.Layout.TotalSize, dtype: ScalarType.Float32, device: model.Device);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        for (int m = 0; m < model.Layout.Members; m++)
            foreach (var (ps, _) in Groups(model.Layout, context.Hparams))
                foreach (var p in ps) model.View(all, p, m).copy_(Score(context, p, m).view(p.Shape));
        return all;
    }

    /// <summary>
    /// The groups ranked together, in order, with their rates: layerwise, each tensor with a non-zero rate; global,
    /// first every such tensor but the output layer's at <c>--rate</c>, then each output-layer tensor at its own rate.
    /// </summary>
    protected static IReadOnlyList<(IReadOnlyList<ParameterInfo> Params, double Rate)> Groups(ParameterLayout layout, PruningHparams hp)
    {
        var pruned = layout.Parameters.Where(p => PruningRates.For(p, hp) > 0).ToList();
        var groups = new List<(IReadOnlyList<ParameterInfo>, double)>();
        if (hp.Scope == PruneScope.Global)
        {
            var hidden = pruned.Where(p => p.Kind != LayerKind.Output).ToList();
            if (hidden.Count > 0) groups.Add((hidden, hp.Rate));
            foreach (var p in pruned.Where(p => p.Kind == LayerKind.Output)) groups.Add(([p], PruningRates.For(p, hp)));
        }
        else
            foreach (var p in pruned) groups.Add(([p], PruningRates.For(p, hp)));
        return groups;
    }

    /// <summary>
    /// The first level in 1..<paramref name="levels"/> at which a ranked group holding weights (a weight tensor, or under
    /// global pruning the pooled hidden tensors) keeps no entry by the counts alone (open_lth's rounding), with the group's tensors; null
    /// when every level keeps something. <paramref name="fromDense"/>: each level prunes the dense network straight
    /// to its density (one-shot, pruning at initialization) instead of the previous level's survivors.
    /// </summary>
    public static (int Level, string Tensors)? FirstEmptyLevel(ParameterLayout layout, PruningHparams hp, bool fromDense, int levels)
    {
        foreach (var (ps, rate) in Groups(layout, hp).Where(g => g.Params.Any(p => p.IsWeight)))   // biases alone disconnect nothing
        {
            long dense = ps.Sum(p => p.Numel), alive = dense;
            for (int level = 1; level <= levels; level++)
            {
                alive = fromDense ? KeepCount(dense, PruningRates.OneShot(rate, level)) : KeepCount(alive, rate);
                if (alive == 0) return (level, string.Join(", ", ps.Select(p => p.Name)));
            }
        }
        return null;
    }

    /// <summary>Entries of <paramref name="ps"/> alive in <paramref name="mask"/> for <paramref name="member"/>.</summary>
    private static long AliveCount(Mask mask, IReadOnlyList<ParameterInfo> ps, int member)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        return (long)cat(ps.Select(p => mask.View(p, member).flatten()).ToList(), 0).sum().item<float>();
    }

    /// <summary>
    /// How many of <paramref name="alive"/> entries survive round <paramref name="round"/> of <paramref name="rounds"/> at
    /// rate <paramref name="rate"/>: the last round keeps alive − ceil(rate · alive) (open_lth's rounding), earlier rounds
    /// keep alive − ceil(alive · (1 − (1 − rate)^(round/rounds))), never fewer than the last.
    /// </summary>
    public static long KeepCount(long alive, double rate, int round = 1, int rounds = 1)
    {
        long final = Math.Max(0, alive - (long)Math.Ceiling(rate * alive - 1e-9));
        if (round >= rounds) return final;
        double removed = 1 - Math.Pow(1 - rate, round / (double)rounds);
        return Math.Max(final, alive - (long)Math.Ceiling(alive * removed - 1e-9));
    }

    /// <summary>Keeps the <paramref name="keep"/> alive entries of <paramref name="ps"/> (pooled) with the highest score; the rest of them are pruned.</summary>
    private void Keep(PruningContext context, Tensor? network, Mask next, IReadOnlyList<ParameterInfo> ps, long keep, int member)
    {
        if (ps.Count == 0) return;
        var current = context.Current;
        // Scores where alive, PrunedScore where already pruned (never chosen to survive).
        var scores = cat(ps.Select(p =>
        {
            var alive = current.View(p, member).flatten();
            var s = network is null ? Score(context, p, member) : context.Model.View(network, p, member).flatten();
            return s.where(alive > 0.5f, tensor(PrunedScore, device: s.device));
        }).ToList(), 0);
        var flat = zeros_like(scores);
        if (keep > 0)
        {
            var (_, idx) = scores.topk((int)keep, largest: true, sorted: false);
            flat.index_fill_(0, idx, 1f);
        }
        long off = 0;
        foreach (var p in ps)
        {
            next.View(p, member).copy_(flat.narrow(0, off, p.Numel).view(p.Shape));
            off += p.Numel;
        }
    }
}
