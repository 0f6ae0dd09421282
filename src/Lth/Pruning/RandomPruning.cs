using Lth.Models;
using static TorchSharp.torch;

namespace Lth.Pruning;

/// <summary>
/// Random pruning as a strategy (<c>--strategy random</c>): the same counts as magnitude pruning, the entries
/// removed chosen uniformly at random among the alive ones (scores drawn from the context's generator, one
/// tensor after another in layout order).
/// </summary>
public sealed class RandomPruning : ScorePruning
{
    protected override Tensor Score(PruningContext context, ParameterInfo p, int member) =>
        rand(p.Numel, generator: context.Rng).to(context.Model.Flat.device);
}
