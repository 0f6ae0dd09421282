namespace Lth.Foundations;

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
        if (RunStore.SeedOf(full) is not null && File.Exists(Path.Combine(Path.GetDirectoryName(full)!, RunStore.HparamsFile)))
        {
            seedDir = full;
            lotteryDir = Path.GetDirectoryName(full)!;
        }
        else if (File.Exists(Path.Combine(full, RunStore.HparamsFile)))
        {
            lotteryDir = full;
            if (seed is long s) seedDir = RunStore.SeedDirIn(full, s);
            else
            {
                var seeds = Directory.GetDirectories(full, RunStore.SeedPrefix + "*").Where(d => RunStore.SeedOf(d) is not null).ToArray();
                if (seeds.Length != 1) throw new HparamsException($"{path}: holds {seeds.Length} seeds; give --seed");
                seedDir = seeds[0];
            }
            if (!Directory.Exists(seedDir)) throw new DirectoryNotFoundException($"{seedDir}: no such seed in this run");
        }
        else throw new InvalidDataException($"{path}: not a lottery run (no {RunStore.HparamsFile} here or one level up)");
        var file = Path.Combine(lotteryDir, RunStore.HparamsFile);
        var hp = Foundations.Hparams.FromJson(File.ReadAllText(file), source: file);
        return new StoredRun(lotteryDir, seedDir, RunStore.SeedOf(seedDir)!.Value, hp);
    }

    public string LevelDir(int level) => RunStore.LevelDirIn(SeedDir, level);

    /// <summary>The level's summary; throws naming the level when it is not complete.</summary>
    public LevelSummary Summary(int level)
    {
        var path = RunStore.SummaryIn(LevelDir(level));
        if (!File.Exists(path)) throw new InvalidDataException($"{LevelDir(level)}: level {level} is not complete");
        return LevelSummary.Load(path);
    }
}
