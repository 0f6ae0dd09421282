using Lth.Experiments;
using Lth.Models;

namespace Lth.Pruning;

/// <summary>The per-level pruning fraction of each parameter, from <see cref="PruningHparams"/> and the layer kinds.</summary>
public static class PruningRates
{
    /// <summary>Fraction of the remaining entries of <paramref name="p"/> to prune per level; 0 = never pruned.</summary>
    public static double For(ParameterInfo p, PruningHparams hp)
    {
        if (!p.IsWeight && !hp.PruneBiases) return 0;
        return p.Kind switch
        {
            LayerKind.Output => hp.RateOutput,
            LayerKind.Conv => hp.RateConv,
            _ => hp.Rate,
        };
    }

    /// <summary>
    /// Density of a parameter after <paramref name="levels"/> levels at rate p: (1 − p)^L, up to the
    /// per-level rounding of the pruned count.
    /// </summary>
    public static double ExpectedDensity(double rate, int levels) => Math.Pow(1 - rate, levels);
}
