using System.Globalization;
using Lth.Models;

namespace Lth.Pruning;

/// <summary>The per-level pruning fraction of each parameter, from <see cref="PruningHparams"/> and the layer kinds.</summary>
public static class PruningRates
{
    /// <summary>Fraction of the remaining entries of <paramref name="p"/> to prune per level; 0 = never pruned.</summary>
    public static double For(ParameterInfo p, PruningHparams hp)
    {
        if (p.Kind == LayerKind.Norm) return 0;   // batch-norm parameters are never pruned
        var map = ParseMap(hp.Rates);
        string layer = p.Name.Split('.')[0];
        if (map.TryGetValue(p.Name, out var exact)) return exact;
        if (!p.IsWeight && !hp.PruneBiases) return 0;
        if (map.TryGetValue(layer, out var byLayer)) return byLayer;
        return p.Kind switch
        {
            LayerKind.Output => hp.RateOutput,
            LayerKind.Conv => hp.RateConv,
            _ => hp.Rate,
        };
    }

    /// <summary>The one-shot rate that prunes a dense tensor to the density of <paramref name="levels"/> iterative levels: 1 − (1 − p)^L.</summary>
    public static double OneShot(double rate, int levels) => 1 - Math.Pow(1 - rate, levels);

    /// <summary>The pruning hparams whose per-level rates take a dense network straight to level <paramref name="level"/>'s density.</summary>
    public static PruningHparams ForOneShot(PruningHparams hp, int level) => hp with
    {
        Rate = OneShot(hp.Rate, level),
        RateOutput = OneShot(hp.RateOutput, level),
        RateConv = OneShot(hp.RateConv, level),
        Rates = string.Join(",", ParseMap(hp.Rates).Select(kv => $"{kv.Key}={OneShot(kv.Value, level).ToString("R", CultureInfo.InvariantCulture)}")),
    };

    /// <summary>
    /// Density of a parameter after <paramref name="levels"/> levels at rate p: (1 − p)^L, up to the
    /// per-level rounding of the pruned count.
    /// </summary>
    public static double ExpectedDensity(double rate, int levels) => Math.Pow(1 - rate, levels);

    /// <summary>The canonical text of a rates map: entries sorted by name, rates in round-trip form.</summary>
    public static string Canonical(string text) =>
        string.Join(",", ParseMap(text).OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => $"{kv.Key}={kv.Value.ToString("R", CultureInfo.InvariantCulture)}"));

    /// <summary>Parses <c>fc1=0.2,fc3.weight=0.1</c>; throws <see cref="FormatException"/> naming the bad entry.</summary>
    public static Dictionary<string, double> ParseMap(string text)
    {
        var map = new Dictionary<string, double>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text)) return map;
        foreach (var entry in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = entry.IndexOf('=');
            if (eq <= 0 || !double.TryParse(entry[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var r) || r < 0 || r >= 1)
                throw new FormatException($"rates: '{entry}' is not NAME=RATE with 0 <= RATE < 1");
            map[entry[..eq].Trim()] = r;
        }
        return map;
    }
}
