using System.Numerics;
using static TorchSharp.torch;

namespace Lth.Reports;

/// <summary>Mean Jaccard similarity between two groups' masks (same seed), or between seeds of one group.</summary>
public sealed record OverlapPair(string A, string B, string Kind, int Pairs, double Mean);

/// <summary>
/// Jaccard similarity |A ∩ B| / |A ∪ B| of the surviving weights (all prunable weight tensors together) between every
/// pair of (group, seed) masks at one level, with the value two independent random masks of the same densities
/// would have in expectation, d₁d₂/(d₁ + d₂ − d₁d₂).
/// </summary>
public sealed record MaskOverlapResult(int Level, double Density, IReadOnlyList<string> Labels, IReadOnlyList<string> Groups, IReadOnlyList<long> Seeds,
    double[,] Jaccard, double RandomExpected, IReadOnlyList<OverlapPair> Pairs);

/// <summary>Computes mask overlap at the deepest level every group reached (<c>mask_overlap.csv</c>).</summary>
public static class MaskOverlap
{
    /// <summary>At most this many masks (group × seed) go into the matrix (first seeds of each group first).</summary>
    public const int MaxItems = 40;

    /// <summary>The overlap at the deepest level common to all groups, or null when that is level 0 (all masks dense).</summary>
    public static MaskOverlapResult? Compute(StudyResults study)
    {
        int level = study.Groups.Min(g => study.Of(g.Name).Max(r => r.Level));
        if (level == 0) return null;
        var items = new List<(string Group, long Seed, ulong[] Bits, long Alive, long Total)>();
        var perGroup = study.Groups.Select(g => study.Of(g.Name).Where(r => r.Level == level).OrderBy(r => r.Seed).ToList()).ToList();
        int perGroupCap = Math.Max(1, MaxItems / Math.Max(1, study.Groups.Count));
        var layers = study.Layers;
        foreach (var runs in perGroup)
            foreach (var r in runs.Take(perGroupCap))
            {
                if (!File.Exists(Path.Combine(r.LevelDir, RunStore.MaskFile))) continue;
                var (bits, alive, count) = Load(StoredFiles.Level(r.LevelDir, r.Summary, RunStore.MaskFile), layers);
                items.Add((r.Group, r.Seed, bits, alive, count));
            }
        if (items.Count < 2) return null;
        var sizes = items.Select(i => i.Total).Distinct().ToList();
        if (sizes.Count != 1) throw new InvalidDataException($"masks at level {level} have different shapes; groups with different models cannot be overlapped");
        int n = items.Count;
        var j = new double[n, n];
        for (int a = 0; a < n; a++)
            for (int b = a; b < n; b++)
            {
                long inter = 0, union = 0;
                var x = items[a].Bits; var y = items[b].Bits;
                for (int k = 0; k < x.Length; k++) { inter += BitOperations.PopCount(x[k] & y[k]); union += BitOperations.PopCount(x[k] | y[k]); }
                j[a, b] = j[b, a] = union == 0 ? 1 : inter / (double)union;
            }
        double density = items.Average(i => i.Alive / (double)i.Total);
        double expected = density * density / (2 * density - density * density);

        var pairs = new List<OverlapPair>();
        var groups = study.Groups.Select(g => g.Name).Where(g => items.Any(i => i.Group == g)).ToList();
        for (int ga = 0; ga < groups.Count; ga++)
            for (int gb = ga; gb < groups.Count; gb++)
            {
                var vals = new List<double>();
                for (int a = 0; a < n; a++)
                    for (int b = 0; b < n; b++)
                    {
                        if (items[a].Group != groups[ga] || items[b].Group != groups[gb]) continue;
                        if (ga == gb ? a < b && items[a].Seed != items[b].Seed : items[a].Seed == items[b].Seed) vals.Add(j[a, b]);
                    }
                if (vals.Count > 0) pairs.Add(new OverlapPair(groups[ga], groups[gb], ga == gb ? "between seeds" : "same seed", vals.Count, vals.Average()));
            }
        return new MaskOverlapResult(level, density, items.Select(i => $"{i.Group} s{i.Seed}").ToList(), items.Select(i => i.Group).ToList(),
            items.Select(i => i.Seed).ToList(), j, expected, pairs);
    }

    /// <summary>The mask's prunable weights as a bit set (layers in the given order) and its number of alive weights.</summary>
    private static (ulong[] Bits, long Alive, long Total) Load(string path, IReadOnlyList<string> layers)
    {
        var named = TensorFile.Load(path);
        try
        {
            var flat = new List<float>();
            foreach (var l in layers)
            {
                if (!named.TryGetValue(l, out var t)) throw new InvalidDataException($"{path}: no tensor '{l}'");
                flat.AddRange(t.to(ScalarType.Float32).data<float>().ToArray());
            }
            var bits = new ulong[(flat.Count + 63) / 64];
            long alive = 0;
            for (int i = 0; i < flat.Count; i++)
                if (flat[i] > 0.5f) { bits[i >> 6] |= 1UL << (i & 63); alive++; }
            return (bits, alive, flat.Count);
        }
        finally { foreach (var t in named.Values) t.Dispose(); }
    }

    public static readonly string[] Header = ["level", "group_a", "group_b", "kind", "pairs", "mean_jaccard", "random_masks_expected"];

    public static void Write(string path, MaskOverlapResult r) =>
        Csv.Write(path, Header, r.Pairs.Select(p => (IReadOnlyList<string>)
            [Csv.Num(r.Level), p.A, p.B, p.Kind, Csv.Num(p.Pairs), Csv.Num(p.Mean), Csv.Num(r.RandomExpected)]));
}
