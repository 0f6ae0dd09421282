using Lth.Init;
using static TorchSharp.torch;

namespace Lth.Reports;

/// <summary>
/// Where a group's winning weights sat in the initial distribution: counts of z = w₀/σ (σ the scheme's theoretical
/// std for the layer, w₀ from <c>init.safetensors</c>) on [<see cref="Low"/>, <see cref="High"/>] in 40 bins (values
/// outside go to the end bins), for the weights alive in the group's deepest level's mask (survivors) and the others
/// (pruned), over all prunable weight tensors, summed over seeds.
/// </summary>
public sealed record SurvivorHistogram(string Group, int Level, double Density, int Seeds, double Low, double High, long[] Survivors, long[] Pruned);

/// <summary>
/// Computes <see cref="SurvivorHistogram"/>s. It reads the initial weights and the mask directly rather than
/// <c>winners.json</c>: that file's histograms are taken at the level's (masked) start, where pruned weights are
/// already zero, so its <c>pruned_z</c> is a spike at 0 beyond level 0.
/// </summary>
public static class SurvivorHistograms
{
    public const double Low = -4, High = 4;
    public const int Bins = 40;

    public static List<SurvivorHistogram> Compute(StudyResults study)
    {
        var list = new List<SurvivorHistogram>();
        foreach (var g in study.Groups)
        {
            var rows = study.Of(g.Name).ToList();
            int level = rows.Max(r => r.Level);
            if (level == 0) continue;
            var atLevel = rows.Where(r => r.Level == level).ToList();
            var surv = new long[Bins];
            var pruned = new long[Bins];
            int seeds = 0;
            foreach (var r in atLevel)
            {
                var initPath = Path.Combine(r.SeedDir, RunStore.InitFile);
                var maskPath = Path.Combine(r.LevelDir, RunStore.MaskFile);
                if (!File.Exists(initPath) || !File.Exists(maskPath)) continue;
                Accumulate(StoredFiles.Seed(r.SeedDir, RunStore.InitFile), StoredFiles.Level(r.LevelDir, r.Summary, RunStore.MaskFile), r.Summary.LayerDensity.Keys, Initializers.Parse(r.Hparams.Model.Init), surv, pruned);
                seeds++;
            }
            if (seeds > 0) list.Add(new SurvivorHistogram(g.Name, level, atLevel.Average(r => r.Summary.Density), seeds, Low, High, surv, pruned));
        }
        return list;
    }

    private static void Accumulate(string initPath, string maskPath, IEnumerable<string> layers, IInitializer scheme, long[] surv, long[] pruned)
    {
        var init = TensorFile.Load(initPath);
        var mask = TensorFile.Load(maskPath);
        try
        {
            foreach (var layer in layers)
            {
                if (!init.TryGetValue(layer, out var w) || !mask.TryGetValue(layer, out var m) || w.numel() != m.numel())
                    throw new InvalidDataException($"{initPath} / {maskPath}: missing or misshapen tensor '{layer}'");
                var values = w.to(ScalarType.Float32).data<float>().ToArray();
                var alive = m.to(ScalarType.Float32).data<float>().ToArray();
                double sigma = scheme.Describe(w.shape).Std;
                if (!(sigma > 0)) sigma = Math.Max(values.Average(v => Math.Abs((double)v)), 1e-12);
                for (int i = 0; i < values.Length; i++)
                {
                    double z = values[i] / sigma;
                    int b = (int)Math.Floor((Math.Clamp(z, Low, High - 1e-9) - Low) / (High - Low) * Bins);
                    (alive[i] > 0.5f ? surv : pruned)[b]++;
                }
            }
        }
        finally
        {
            foreach (var t in init.Values) t.Dispose();
            foreach (var t in mask.Values) t.Dispose();
        }
    }
}
