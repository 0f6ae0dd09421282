using System.Globalization;

namespace Lth.Experiments;

/// <summary>
/// A run found on disk: from a lottery directory (<c>runs/lottery_&lt;hash&gt;</c>, with a seed or a single
/// <c>seed_*</c> inside) or a seed directory (<c>…/seed_&lt;s&gt;</c>). Its hparams come from <c>hparams.json</c>.
/// </summary>
public sealed record StoredRun(string LotteryDir, string SeedDir, long Seed, LotteryHparams Hparams)
{
    public static StoredRun Open(string path, long? seed = null)
    {
        var full = Path.GetFullPath(path);
        if (!Directory.Exists(full)) throw new DirectoryNotFoundException($"{path}: no such run directory");
        string lotteryDir, seedDir;
        if (Path.GetFileName(full).StartsWith("seed_") && File.Exists(Path.Combine(Path.GetDirectoryName(full)!, RunStore.HparamsFile)))
        {
            seedDir = full;
            lotteryDir = Path.GetDirectoryName(full)!;
        }
        else if (File.Exists(Path.Combine(full, RunStore.HparamsFile)))
        {
            lotteryDir = full;
            if (seed is long s) seedDir = Path.Combine(full, "seed_" + s.ToString(CultureInfo.InvariantCulture));
            else
            {
                var seeds = Directory.GetDirectories(full, "seed_*");
                if (seeds.Length != 1) throw new HparamsException($"{path}: holds {seeds.Length} seeds; give --seed");
                seedDir = seeds[0];
            }
            if (!Directory.Exists(seedDir)) throw new DirectoryNotFoundException($"{seedDir}: no such seed in this run");
        }
        else throw new InvalidDataException($"{path}: not a lottery run (no {RunStore.HparamsFile} here or one level up)");
        var hp = Experiments.Hparams.FromJson(File.ReadAllText(Path.Combine(lotteryDir, RunStore.HparamsFile)), source: Path.Combine(lotteryDir, RunStore.HparamsFile));
        long parsed = long.Parse(Path.GetFileName(seedDir)["seed_".Length..], CultureInfo.InvariantCulture);
        return new StoredRun(lotteryDir, seedDir, parsed, hp);
    }

    public string LevelDir(int level) => Path.Combine(SeedDir, "level_" + level.ToString(CultureInfo.InvariantCulture));

    /// <summary>The level's summary; throws naming the level when it is not complete.</summary>
    public LevelSummary Summary(int level)
    {
        var path = Path.Combine(LevelDir(level), RunStore.SummaryFile);
        if (!File.Exists(path)) throw new InvalidDataException($"{LevelDir(level)}: level {level} is not complete");
        return LevelSummary.Load(path);
    }
}
