using System.Globalization;

namespace Lth.Experiments;

/// <summary>
/// The on-disk layout of lottery runs (DESIGN.md, "On disk"):
/// <c>&lt;root&gt;/lottery_&lt;hash&gt;/seed_&lt;s&gt;/level_&lt;L&gt;/…</c>. A level is complete exactly
/// when its <c>summary.json</c> exists (it is written last, atomically).
/// </summary>
public sealed class RunStore(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary><c>$LTH_RUNS</c> if set, else <c>./runs</c>.</summary>
    public static string DefaultRoot => Environment.GetEnvironmentVariable("LTH_RUNS") is { Length: > 0 } r ? r : "runs";

    public string RunDir(LotteryHparams hp) => Path.Combine(Root, "lottery_" + Hparams.Hash(hp));
    public string SeedDir(LotteryHparams hp, long seed) => Path.Combine(RunDir(hp), "seed_" + seed.ToString(CultureInfo.InvariantCulture));
    public string LevelDir(LotteryHparams hp, long seed, int level) => Path.Combine(SeedDir(hp, seed), "level_" + level.ToString(CultureInfo.InvariantCulture));

    public const string HparamsFile = "hparams.json";
    public const string InitFile = "init.safetensors";
    public const string MaskFile = "mask.safetensors";
    public const string FinalFile = "final.safetensors";
    public const string MetricsFile = "metrics.csv";
    public const string SummaryFile = "summary.json";
    public static string RewindFile(long iteration) => $"rewind_{iteration.ToString(CultureInfo.InvariantCulture)}.safetensors";

    public bool IsLevelDone(LotteryHparams hp, long seed, int level) => File.Exists(Path.Combine(LevelDir(hp, seed, level), SummaryFile));

    /// <summary>Levels 0.. that are complete, in order, stopping at the first missing one.</summary>
    public int CompletedLevels(LotteryHparams hp, long seed)
    {
        int l = 0;
        while (IsLevelDone(hp, seed, l)) l++;
        return l;
    }

    /// <summary>
    /// Whether levels 0..<paramref name="levels"/> of this run need no more work: all are done, or an
    /// earlier level diverged (a diverged run ends at that level).
    /// </summary>
    public bool IsRunComplete(LotteryHparams hp, long seed, int levels)
    {
        for (int l = 0; l <= levels; l++)
        {
            var path = Path.Combine(LevelDir(hp, seed, l), SummaryFile);
            if (!File.Exists(path)) return false;
            if (LevelSummary.Load(path).Diverged) return true;
        }
        return true;
    }
}
