using System.Globalization;
using Lth.Experiments;

namespace Lth.Tests.Reports;

/// <summary>Writes hparams.json and summary.json files of made-up runs (no training, no tensors) into a runs root.</summary>
internal static class FakeStudy
{
    /// <param name="root">Runs root.</param>
    /// <param name="init">Scheme of the group.</param>
    /// <param name="accuracy">accuracy[seed][level].</param>
    /// <param name="control">Control branch.</param>
    /// <param name="strategy">Pruning strategy of the group.</param>
    /// <param name="collapsed">Whether (seed index, level) had a collapsed layer (fc2.weight); null: never.</param>
    public static void Write(string root, string init, double[][] accuracy, string control = "none", long firstSeed = 1,
        string strategy = "magnitude", Func<int, int, bool>? collapsed = null)
    {
        var hp = new LotteryHparams { Model = new() { Name = "lenet:32,16", Init = init } }.With("control", control).With("strategy", strategy);
        var store = new RunStore(root);
        Directory.CreateDirectory(store.RunDir(hp));
        File.WriteAllText(Path.Combine(store.RunDir(hp), RunStore.HparamsFile), Hparams.ToJson(hp));
        for (int s = 0; s < accuracy.Length; s++)
            for (int level = 0; level < accuracy[s].Length; level++)
            {
                var dir = store.LevelDir(hp, firstSeed + s, level);
                Directory.CreateDirectory(dir);
                double density = Math.Pow(0.8, level);
                var summary = new LevelSummary
                {
                    Level = level, Seed = firstSeed + s, Hash = Hparams.Hash(hp), Init = init, Control = ChoiceText.Of(hp.Control),
                    Density = density,
                    LayerDensity = new() { ["fc1.weight"] = density, ["fc2.weight"] = density, ["fc3.weight"] = Math.Pow(0.9, level) },
                    EarlyStopIteration = 1000 - 100 * level,
                    TestAccuracyAtEarlyStop = accuracy[s][level],
                    ValLossAtEarlyStop = 1 - accuracy[s][level],
                    FinalTestAccuracy = accuracy[s][level] - 0.001,
                    StartIteration = 0, Iterations = 2000, WallSeconds = 1.5, Threads = 1,
                    CollapsedLayers = collapsed?.Invoke(s, level) == true ? ["fc2.weight"] : [],
                };
                File.WriteAllText(Path.Combine(dir, RunStore.SummaryFile), summary.ToJson());
            }
    }

    /// <summary>acc[seed][level] = base[level] + noise[seed] (the same seed effect at every level, as pairing expects).</summary>
    public static double[][] Grid(double[] levels, double[] seedNoise) =>
        seedNoise.Select(n => levels.Select(l => l + n).ToArray()).ToArray();

    public static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
