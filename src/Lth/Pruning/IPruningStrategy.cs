using Lth.Experiments;
using Lth.Models;

namespace Lth.Pruning;

/// <summary>Computes the next level's mask from a trained model and the current mask, for every member.</summary>
public interface IPruningStrategy
{
    Mask Prune(IModel trained, Mask current, PruningHparams hp);
}
