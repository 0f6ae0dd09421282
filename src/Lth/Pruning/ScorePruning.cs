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
public abstract class ScorePruning : IPruningStrategy
{
    /// <summary>The score of every entry of <paramref name="p"/> for <paramref name="member"/> (higher survives), flattened.</summary>
    protected abstract Tensor Score(PruningContext context, ParameterInfo p, int member);

    public Mask Prune(PruningContext context)
    {
        var (model, current, hp) = (context.Model, context.Current, context.Hparams);
        var layout = model.Layout;
        var next = new Mask(layout, current.Flat.clone());
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        for (int m = 0; m < layout.Members; m++)
        {
            var pruned = layout.Parameters.Where(p => PruningRates.For(p, hp) > 0).ToList();
            if (hp.Scope == PruneScope.Global)
            {
                PruneTogether(context, next, pruned.Where(p => p.Kind != LayerKind.Output).ToList(), hp.Rate, m);
                foreach (var p in pruned.Where(p => p.Kind == LayerKind.Output))
                    PruneTogether(context, next, [p], PruningRates.For(p, hp), m);
            }
            else
                foreach (var p in pruned) PruneTogether(context, next, [p], PruningRates.For(p, hp), m);
        }
        return next;
    }

    /// <summary>Prunes ceil(rate · alive) of the alive entries of <paramref name="ps"/> (pooled) with the lowest score.</summary>
    private void PruneTogether(PruningContext context, Mask next, IReadOnlyList<ParameterInfo> ps, double rate, int member)
    {
        if (ps.Count == 0) return;
        var current = context.Current;
        // Scores where alive, -1 where already pruned (never chosen to survive); scores are >= 0.
        var scores = cat(ps.Select(p =>
        {
            var alive = current.View(p, member).flatten();
            var s = Score(context, p, member);
            return s.where(alive > 0.5f, tensor(-1f, device: s.device));
        }).ToList(), 0);
        long alive = (long)cat(ps.Select(p => current.View(p, member).flatten()).ToList(), 0).sum().item<float>();
        long prune = (long)Math.Ceiling(rate * alive - 1e-9);
        long keep = Math.Max(0, alive - prune);
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
