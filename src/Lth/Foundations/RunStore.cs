using System.Globalization;

namespace Lth.Foundations;

/// <summary>
/// The one owner of the run store's layout — every folder and file name below the runs root:
/// <code>
/// &lt;root&gt;/lottery_&lt;hash&gt;/hparams.json
///                      seed_&lt;s&gt;/init.safetensors, rewind_&lt;k&gt;.safetensors, seed.json, crash-&lt;time&gt;-&lt;pid&gt;.log (after a bug)
///                              level_&lt;L&gt;/mask.safetensors, final.safetensors, metrics.csv, winners.json,
///                                         optimizer.safetensors, summary.json
/// </code>
/// A level is complete exactly when its <c>summary.json</c> exists (written last, atomically). The store is verified:
/// <c>summary.json</c> records the SHA-256 of the level's other files and of itself, <c>seed.json</c> those of the seed's
/// init and rewind files, and the folder name <c>lottery_&lt;hash&gt;</c> is the hash of <c>hparams.json</c>
/// (<see cref="StoredFiles"/>, <see cref="StoreVerifier"/>). The runner, export, eval and the report all find files
/// through this type and check them through <see cref="StoredFiles"/>.
/// </summary>
public sealed class RunStore(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary><c>$LTH_RUNS</c> if set, else <c>./runs</c>.</summary>
    public static string DefaultRoot => Environment.GetEnvironmentVariable("LTH_RUNS") is { Length: > 0 } r ? r : "runs";

    /// <summary>Folder prefixes: <c>lottery_&lt;hash&gt;</c>, <c>seed_&lt;s&gt;</c>, <c>level_&lt;L&gt;</c>.</summary>
    public const string RunPrefix = "lottery_", SeedPrefix = "seed_", LevelPrefix = "level_";

    /// <summary>File names in a run folder (hparams), a seed folder (init, rewind, seed record, tensorboard/) and a level folder (the rest).</summary>
    public const string HparamsFile = "hparams.json", InitFile = "init.safetensors", SeedRecordFile = "seed.json", MaskFile = "mask.safetensors",
        FinalFile = "final.safetensors", MetricsFile = "metrics.csv", SummaryFile = "summary.json", WinnersFile = "winners.json",
        OptimizerFile = "optimizer.safetensors", InstabilityFile = "instability.csv", TensorBoardFolder = "tensorboard";

    public static string RewindFile(long iteration) => $"rewind_{iteration.ToString(CultureInfo.InvariantCulture)}.safetensors";

    /// <summary>
    /// A crash log: the full text of an unexpected error (written by the CLI into the seed folder of the run it hit, and
    /// into <c>~/.cache/lth/logs/</c>), named by the UTC time and the process id. Not part of a run's results: nothing
    /// reads it back, and <c>lth verify</c> and the report pass over it.
    /// </summary>
    public static string CrashLogFile(DateTime utc, int processId) =>
        $"crash-{utc.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{processId.ToString(CultureInfo.InvariantCulture)}.log";

    /// <summary>The file pattern of <see cref="CrashLogFile"/>.</summary>
    public const string CrashLogPattern = "crash-*.log";

    /// <summary>
    /// The run's folder: <c>lottery_&lt;hash&gt;</c> of its canonical hparams — or, when only that exists, the folder
    /// of a run stored by an earlier lth under a non-canonical spelling of the same hparams (so it is still found).
    /// </summary>
    public string RunDir(LotteryHparams hp)
    {
        var hash = Hparams.Hash(hp);
        var dir = Path.Combine(Root, RunPrefix + hash);
        return Directory.Exists(dir) || !LegacyDirs().TryGetValue(hash, out var legacy) ? dir : legacy;
    }

    public string SeedDir(LotteryHparams hp, long seed) => SeedDirIn(RunDir(hp), seed);
    public string LevelDir(LotteryHparams hp, long seed, int level) => LevelDirIn(SeedDir(hp, seed), level);

    public static string SeedDirIn(string runDir, long seed) => Path.Combine(runDir, SeedPrefix + seed.ToString(CultureInfo.InvariantCulture));
    public static string LevelDirIn(string seedDir, int level) => Path.Combine(seedDir, LevelPrefix + level.ToString(CultureInfo.InvariantCulture));

    /// <summary>The seed of a <c>seed_&lt;s&gt;</c> folder, or null for any other name.</summary>
    public static long? SeedOf(string dir) =>
        Path.GetFileName(dir) is { } n && n.StartsWith(SeedPrefix, StringComparison.Ordinal)
        && long.TryParse(n[SeedPrefix.Length..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : null;

    /// <summary>The level of a <c>level_&lt;L&gt;</c> folder, or null for any other name.</summary>
    public static int? LevelOf(string dir) =>
        Path.GetFileName(dir) is { } n && n.StartsWith(LevelPrefix, StringComparison.Ordinal)
        && int.TryParse(n[LevelPrefix.Length..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l : null;

    /// <summary>The summary file of a level folder.</summary>
    public static string SummaryIn(string levelDir) => Path.Combine(levelDir, SummaryFile);

    public bool IsLevelDone(LotteryHparams hp, long seed, int level) => File.Exists(SummaryIn(LevelDir(hp, seed, level)));

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
        var seedDir = SeedDir(hp, seed);
        for (int l = 0; l <= levels; l++)
        {
            var path = SummaryIn(LevelDirIn(seedDir, l));
            if (!File.Exists(path)) return false;
            if (LevelSummary.Load(path).Diverged) return true;
        }
        return true;
    }

    private Dictionary<string, string>? legacy;

    /// <summary>
    /// Canonical hash → folder, for run folders stored by an lth before canonical specs: named by the hash of their
    /// <c>hparams.json</c> as written (<see cref="Hparams.HashAsWritten"/>), not by its canonical hash (read once).
    /// A folder named by neither (an <c>hparams.json</c> edited after the run) is never adopted.
    /// </summary>
    private Dictionary<string, string> LegacyDirs()
    {
        if (legacy is not null) return legacy;
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Directory.Exists(Root))
            foreach (var dir in Directory.EnumerateDirectories(Root, RunPrefix + "*").Order(StringComparer.Ordinal))
            {
                var file = Path.Combine(dir, HparamsFile);
                if (!File.Exists(file)) continue;
                string hash, json;
                try { json = File.ReadAllText(file); hash = Hparams.Hash(Hparams.FromJson(json, source: file)); }
                catch (Exception e) when (e is HparamsException or IOException) { continue; }
                if (Path.GetFileName(dir) != RunPrefix + hash && Path.GetFileName(dir) == RunPrefix + Hparams.HashAsWritten(json)) found.TryAdd(hash, dir);
            }
        return legacy = found;
    }

    /// <summary>
    /// Whether a run folder is named by the hparams stored in it: <c>lottery_&lt;hash&gt;</c> of their canonical hash, or
    /// (a folder of an lth from before canonical specs) of their hash as written. A folder named otherwise holds an
    /// <c>hparams.json</c> edited after the run, or a copy renamed: its files are not that run's.
    /// </summary>
    public static bool IsNamedBy(string runDir, string hparamsJson, LotteryHparams hp)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(runDir));
        return name == RunPrefix + Hparams.Hash(hp) || name == RunPrefix + Hparams.HashAsWritten(hparamsJson);
    }
}
