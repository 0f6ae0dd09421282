using System.Globalization;

namespace Lth.Experiments;

/// <summary>One run of a sweep: its hparams, seed and the grid values that distinguish it.</summary>
public sealed record SweepRun(LotteryHparams Hparams, long Seed, IReadOnlyDictionary<string, string> Varying)
{
    public string Hash => Foundations.Hparams.Hash(Hparams);
    public string Label => Varying.Count == 0 ? "(base)" : string.Join(" ", Varying.Select(kv => $"{kv.Key}={kv.Value}"));
}

/// <summary>
/// Expands a base hparams plus a grid (flag → values) and a seed list into runs: the Cartesian product,
/// in grid order, seeds innermost.
/// </summary>
public static class SweepPlan
{
    public static List<SweepRun> Expand(LotteryHparams baseHp, IReadOnlyList<(string Flag, IReadOnlyList<string> Values)> grid, IReadOnlyList<long> seeds)
    {
        var combos = new List<(LotteryHparams Hp, Dictionary<string, string> Varying)> { (baseHp, new()) };
        foreach (var (flag, values) in grid)
        {
            var next = new List<(LotteryHparams, Dictionary<string, string>)>();
            foreach (var (hp, varying) in combos)
                foreach (var v in values)
                {
                    var hp2 = hp.With(flag, v);
                    var var2 = new Dictionary<string, string>(varying);
                    if (values.Count > 1) var2[flag] = v;
                    next.Add((hp2, var2));
                }
            combos = next;
        }
        var runs = new List<SweepRun>();
        foreach (var (hp, varying) in combos)
        {
            Hparams.Validate(hp);
            foreach (var s in seeds) runs.Add(new SweepRun(hp, s, varying));
        }
        return runs;
    }

    /// <summary>
    /// Splits a grid value list. ';' separates values when present; otherwise ',' does, except that a
    /// piece that is a key=value parameter (<c>a=0.1</c>) or a bare number after a spec with a colon
    /// (<c>lenet:300,100</c>) continues the previous value. So <c>xavier-normal:gain=0.5,mode=fan_out,kaiming-normal</c>
    /// is two schemes and <c>lenet:300,100,lenet:100</c> two models. A map-valued flag (<paramref name="map"/>:
    /// <c>--rates fc1=0.2,fc2=0.2</c>) is one value unless ';' separates several.
    /// </summary>
    public static List<string> SplitValues(string text, bool map = false)
    {
        if (text.Contains(';')) return text.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        if (map) return [text.Trim()];
        var values = new List<string>();
        foreach (var piece in text.Split(',', StringSplitOptions.TrimEntries))
        {
            bool continues = values.Count > 0 && values[^1].Contains(':') &&
                ((piece.Contains('=') && !piece.Contains(':')) || piece.All(char.IsAsciiDigit) && piece.Length > 0);
            if (continues) values[^1] += "," + piece;
            else if (piece.Length > 0) values.Add(piece);
        }
        return values;
    }

    /// <summary>Parses seeds: <c>1-5</c>, <c>1,3,7</c> or a mix (<c>1-3,10</c>).</summary>
    public static List<long> ParseSeeds(string text)
    {
        var seeds = new List<long>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = part.IndexOf('-', 1);
            if (dash > 0 && long.TryParse(part[..dash], NumberStyles.Integer, CultureInfo.InvariantCulture, out var a)
                         && long.TryParse(part[(dash + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var b) && a <= b && b - a < 100000)
                for (long s = a; s <= b; s++) seeds.Add(s);
            else if (long.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s1)) seeds.Add(s1);
            else throw new HparamsException($"--seeds: '{part}' is not a seed or range like 1-5");
        }
        if (seeds.Count == 0) throw new HparamsException("--seeds: no seeds given");
        if (seeds.FirstOrDefault(x => x < 0) is var neg and < 0) throw new HparamsException($"--seeds: {neg} is negative; seeds are >= 0");
        return seeds.Distinct().ToList();
    }
}
