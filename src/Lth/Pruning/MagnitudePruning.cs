using Lth.Experiments;
using Lth.Models;
using static TorchSharp.torch;

namespace Lth.Pruning;

/// <summary>
/// Iterative magnitude pruning (Frankle &amp; Carbin 2019): remove the fraction p of the
/// <em>remaining</em> entries with the smallest |trained weight|. Layerwise: each tensor at its own
/// rate (ceil(p · remaining) entries, as open_lth). Global: one threshold across all prunable tensors
/// that share the hidden-layer rate; the output layer keeps its own layerwise rate.
/// </summary>
public sealed class MagnitudePruning : IPruningStrategy
{
    public Mask Prune(IModel trained, Mask current, PruningHparams hp)
    {
        var layout = trained.Layout;
        var next = new Mask(layout, current.Flat.clone());
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        for (int m = 0; m < layout.Members; m++)
        {
            if (hp.Scope == "global")
            {
                var pooled = layout.Parameters.Where(p => PruningRates.For(p, hp) > 0 && p.Kind != LayerKind.Output).ToList();
                PruneTogether(trained, current, next, pooled, hp.Rate, m);
                foreach (var p in layout.Parameters.Where(p => p.Kind == LayerKind.Output && PruningRates.For(p, hp) > 0))
                    PruneTogether(trained, current, next, [p], PruningRates.For(p, hp), m);
            }
            else
            {
                foreach (var p in layout.Parameters)
                {
                    double rate = PruningRates.For(p, hp);
                    if (rate > 0) PruneTogether(trained, current, next, [p], rate, m);
                }
            }
        }
        return next;
    }

    /// <summary>Prunes ceil(rate · alive) of the alive entries of <paramref name="ps"/> (pooled) with the smallest magnitude.</summary>
    private static void PruneTogether(IModel trained, Mask current, Mask next, IReadOnlyList<ParameterInfo> ps, double rate, int member)
    {
        if (ps.Count == 0) return;
        // Scores: |w| where alive, -1 where already pruned (never chosen to survive).
        var scores = cat(ps.Select(p =>
        {
            var w = trained.View(trained.Flat, p, member).flatten().abs();
            var alive = current.View(p, member).flatten();
            return w.where(alive > 0.5f, tensor(-1f, device: w.device));
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
