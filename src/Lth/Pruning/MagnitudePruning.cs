using Lth.Models;
using static TorchSharp.torch;

namespace Lth.Pruning;

/// <summary>
/// Iterative magnitude pruning (Frankle &amp; Carbin 2019): remove the fraction p of the <em>remaining</em>
/// entries with the smallest |trained weight|, layerwise or globally (<see cref="ScorePruning"/>).
/// Registered as <c>magnitude</c>, the default <c>--strategy</c>.
/// </summary>
public sealed class MagnitudePruning : ScorePruning
{
    protected override Tensor Score(PruningContext context, ParameterInfo p, int member) =>
        context.Model.View(context.Model.Flat, p, member).flatten().abs();
}
