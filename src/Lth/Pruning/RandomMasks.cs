using Lth.Models;
using static TorchSharp.torch;

namespace Lth.Pruning;

/// <summary>
/// The mask transforms of the random-pruning controls, drawn from the context's generator: random positions with
/// the given mask's per-layer counts (<c>random-prune</c>) or total count (<c>random-prune-global</c>), or the
/// given mask permuted within each layer (<c>shuffle</c>). Only tensors that are pruned (rate &gt; 0) change.
/// </summary>
public sealed class RandomMask(RandomMask.Mode mode) : IPruningStrategy
{
    public enum Mode { PerLayer, Global, Shuffle }

    public Mask Prune(PruningContext context)
    {
        var (source, rng) = (context.Current, context.Rng);
        var layout = source.Layout;
        var result = new Mask(layout, source.Flat.clone());
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        for (int m = 0; m < layout.Members; m++)
        {
            var pruned = layout.Parameters.Where(p => PruningRates.For(p, context.Hparams) > 0).ToList();
            switch (mode)
            {
                case Mode.PerLayer:
                    foreach (var p in pruned) Scatter(result, [p], m, source.Alive(p, m), rng);
                    break;
                case Mode.Global:
                    Scatter(result, pruned, m, pruned.Sum(p => source.Alive(p, m)), rng);
                    break;
                case Mode.Shuffle:
                    foreach (var p in pruned)
                    {
                        var flat = source.View(p, m).flatten();
                        result.View(p, m).copy_(flat.index_select(0, randperm(p.Numel, generator: rng).to(flat.device)).view(p.Shape));
                    }
                    break;
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
