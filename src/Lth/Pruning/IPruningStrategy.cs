using Lth.Models;
using static TorchSharp.torch;

namespace Lth.Pruning;

/// <summary>
/// A pruning strategy: computes a level's mask. Registered in <see cref="PruningStrategies"/> and chosen with
/// <c>--strategy</c> (pruners) or <c>--control</c> (mask transforms). A strategy must be deterministic given
/// its context: the same weights, mask, hparams and generator state give the same mask.
/// </summary>
public interface IPruningStrategy
{
    /// <summary>
    /// The next mask, for every member of <see cref="PruningContext.Model"/> (member m of the result may depend
    /// only on member m of the weights and of the current mask). The caller disposes the result.
    /// </summary>
    Mask Prune(PruningContext context);
}

/// <summary>
/// Draws <paramref name="count"/> training examples (images [count, …], labels [count]) for scores that need data
/// (gradient-based scores such as SNIP's). Each call draws anew from the context's generator.
/// </summary>
public delegate (Tensor Images, Tensor Labels) BatchSource(int count);

/// <summary>
/// What a strategy gets. For iterative magnitude pruning <see cref="Model"/> holds the previous level's trained
/// weights and <see cref="Current"/> its mask; for a mask transform (a control) <see cref="Current"/> is the
/// source run's mask of this level.
/// </summary>
/// <param name="Model">The weights to score (one or more cohort members, as laid out in the model).</param>
/// <param name="Current">The mask now in force; a pruner removes entries that are still alive in it.</param>
/// <param name="Hparams">Rates per layer kind, scope and the strategy's own hparams. One-shot pruning passes the rates that reach this level in one step.</param>
/// <param name="Level">The level whose mask is computed (1 = the first pruned level).</param>
/// <param name="Member">This run's index in its cohort (0 for a solo run); the runner computes each member's mask on a one-member copy.</param>
/// <param name="Rng">A generator seeded from the run seed, the strategy and the level: draw only from it.</param>
/// <param name="Batches">Training batches for data-dependent scores; null where the caller has no data (then a strategy that needs data must refuse).</param>
public sealed record PruningContext(IModel Model, Mask Current, PruningHparams Hparams, int Level, int Member, Generator Rng, BatchSource? Batches = null);
