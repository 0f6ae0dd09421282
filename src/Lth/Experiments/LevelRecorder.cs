using System.Text.Json;
using Lth.Init;
using Lth.Models;
using Lth.Native;
using Lth.Pruning;
using Lth.Training;
using static TorchSharp.torch;

namespace Lth.Experiments;

/// <summary>
/// Stores what one member's level produced, in the order that makes a killed run safe: trained weights,
/// metrics, optimizer state (carry), winner statistics, and last the <c>summary.json</c> that marks the level
/// complete and records the SHA-256 of each of the others (the mask's from when <see cref="LevelMasks"/> wrote it, the
/// rest from these writes). Works on one-member copies (<paramref name="solo"/>, <paramref name="soloStart"/>), so a cohort
/// member's files are those of its solo run.
/// </summary>
internal sealed class LevelRecorder(IModel solo, IModel soloStart, IReadOnlyDictionary<string, string> dataFiles)
{
    private static readonly JsonSerializerOptions WinnerJson = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>What the level loop hands over for member <c>j</c> of the cohort model.</summary>
    public sealed record Trained(IModel Model, Mask Mask, Tensor LevelStart, int Member, MemberResult Result,
                                 IFlatOptimizer? Optimizer, long StartIteration, long Iterations, double WallSeconds, int CohortSize,
                                 InstabilityResult? Instability = null);

    public LevelSummary Record(RunMember m, long seed, int level, Trained t)
    {
        var levelDir = m.LevelDir(level);
        Directory.CreateDirectory(levelDir);
        using (no_grad())
        {
            CohortCopy.ModelMember(t.Model, t.Member, solo, 0);
            CohortCopy.Member(t.LevelStart, t.Model.Layout, t.Member, soloStart.Flat, soloStart.Layout, 0);
        }
        using var mask = Mask.Dense(solo.Layout);
        using (no_grad()) CohortCopy.Member(t.Mask.Flat, t.Model.Layout, t.Member, mask.Flat, solo.Layout, 0);
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [RunStore.MaskFile] = m.MaskDigest ?? throw new InvalidOperationException($"{levelDir}: the level's mask was not written"),
            [RunStore.FinalFile] = WeightFiles.Save(solo, Path.Combine(levelDir, RunStore.FinalFile)),
            [RunStore.MetricsFile] = MetricsCsv.Save(Path.Combine(levelDir, RunStore.MetricsFile), t.Result.Metrics),
        };
        if (t.Instability is { } ins) files[RunStore.InstabilityFile] = ins.CsvDigest;
        if (t.Optimizer is not null) files[RunStore.OptimizerFile] = WeightFiles.SaveTensors(t.Optimizer.State(), Path.Combine(levelDir, RunStore.OptimizerFile));
        var winners = WinnerStatistics.Compute(soloStart, solo, mask, Initializers.Parse(m.Hp.Model.Init));
        files[RunStore.WinnersFile] = AtomicFile.WriteText(Path.Combine(levelDir, RunStore.WinnersFile), JsonSerializer.Serialize(winners, WinnerJson));
        var summary = Summarize(m, seed, level, mask, t) with { Files = new Dictionary<string, string>(files) };
        summary.Save(RunStore.SummaryIn(levelDir));
        m.MaskDigest = null;
        return summary;
    }

    private LevelSummary Summarize(RunMember m, long seed, int level, Mask mask, Trained t)
    {
        var r = t.Result;
        long? es = r.EarlyStopIteration;
        return new LevelSummary
        {
            Level = level,
            Seed = seed,
            Hash = Hparams.Hash(m.Hp),
            Init = m.Hp.Model.Init,
            Control = ChoiceText.Of(m.Hp.Control),
            Density = mask.WeightDensity(0),
            LayerDensity = mask.LayerDensities(0),
            CollapsedLayers = mask.LayerDensities(0).Where(kv => kv.Value == 0).Select(kv => kv.Key).ToList(),
            EarlyStopIteration = es,
            TestAccuracyAtEarlyStop = es is long e ? r.TestAccuracyAt(e) : null,
            ValLossAtEarlyStop = es is long e2 ? r.Metrics.First(x => x.Split == "val" && x.Iteration == e2).Loss : null,
            FinalTestAccuracy = r.Last("test")?.Accuracy,
            FinalValAccuracy = r.Last("val")?.Accuracy,
            FinalTrainLoss = r.Last("train")?.Loss,
            Diverged = r.Diverged,
            DivergedAt = r.DivergedAt,
            StartIteration = t.StartIteration,
            Iterations = t.Iterations,
            WallSeconds = t.WallSeconds,
            Threads = TorchRuntime.Threads,
            CohortSize = t.CohortSize,
            DataFiles = dataFiles.Count == 0 ? null : new Dictionary<string, string>(dataFiles),
            InstabilityTest = t.Instability?.Test,
            InstabilityTrain = t.Instability?.Train,
            InstabilityCopyTestAccuracy = t.Instability?.CopyTestAccuracy,
            InstabilityStart = t.Instability?.Start,
            InstabilityCopyDiverged = t.Instability?.CopyDiverged == true ? true : null,
        };
    }
}
