using Lth.Experiments;
using Lth.Models;
using static TorchSharp.torch;

namespace Lth.Pruning;

/// <summary>
/// Masks for the random-pruning controls, drawn from an explicit generator: random positions with a
/// given mask's per-layer counts (layerwise) or total count (global), or the given mask permuted
/// within each layer (shuffle). Only tensors that are pruned (rate &gt; 0) are changed.
/// </summary>
public static class RandomMasks
{
    public static Mask Derive(string control, Mask source, PruningHparams hp, Generator rng)
    {
        var layout = source.Layout;
        var result = new Mask(layout, source.Flat.clone());
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        for (int m = 0; m < layout.Members; m++)
        {
            var pruned = layout.Parameters.Where(p => PruningRates.For(p, hp) > 0).ToList();
            switch (control)
            {
                case "random-prune":
                    foreach (var p in pruned) Scatter(result, [p], m, source.Alive(p, m), rng);
                    break;
                case "random-prune-global":
                    Scatter(result, pruned, m, pruned.Sum(p => source.Alive(p, m)), rng);
                    break;
                case "shuffle":
                    foreach (var p in pruned)
                    {
                        var flat = source.View(p, m).flatten();
                        result.View(p, m).copy_(flat.index_select(0, randperm(p.Numel, generator: rng).to(flat.device)).view(p.Shape));
                    }
                    break;
                default:
                    throw new ArgumentException($"control: '{control}' does not derive a random mask");
            }
        }
        return result;
    }

    /// <summary>Sets exactly <paramref name="alive"/> uniformly random positions of the pooled tensors to 1, the rest to 0.</summary>
    private static void Scatter(Mask mask, IReadOnlyList<ParameterInfo> ps, int member, long alive, Generator rng)
    {
        long total = ps.Sum(p => p.Numel);
        var flat = zeros(total, device: mask.Flat.device);
        if (alive > 0) flat.index_fill_(0, randperm(total, generator: rng).narrow(0, 0, alive).to(flat.device), 1f);
        long off = 0;
        foreach (var p in ps)
        {
            mask.View(p, member).copy_(flat.narrow(0, off, p.Numel).view(p.Shape));
            off += p.Numel;
        }
    }
}
