using System.Globalization;

namespace Lth.Foundations;

/// <summary>What <see cref="StoreVerifier.Check"/> found below a runs root.</summary>
/// <param name="Problems">One line per problem, each naming a file or folder.</param>
/// <param name="Unverified">One line per seed folder with levels (or an init) written before lth recorded digests: usable, not checkable.</param>
/// <param name="Runs">Run folders checked.</param>
/// <param name="Seeds">Seed folders checked.</param>
/// <param name="Levels">Complete levels (with a <c>summary.json</c>) checked.</param>
/// <param name="Files">Files checked against a recorded digest.</param>
public sealed record StoreCheck(IReadOnlyList<string> Problems, IReadOnlyList<string> Unverified, int Runs, int Seeds, int Levels, int Files)
{
    /// <summary>No problem found (unverified seeds are not problems).</summary>
    public bool Clean => Problems.Count == 0;

    /// <summary>One line of counts.</summary>
    public string Summary => string.Create(CultureInfo.InvariantCulture,
        $"checked {Runs} run(s), {Seeds} seed(s), {Levels} level(s), {Files} file(s): {Problems.Count} problem(s), {Unverified.Count} unverified seed(s)");
}

/// <summary>
/// <c>lth verify</c>: checks every run below a root against what the store recorded. A run folder must be named
/// by the hash of its <c>hparams.json</c> (<see cref="RunStore.IsNamedBy"/>); every complete level's files must match
/// the digests in its <c>summary.json</c> (which must match its own); every seed's <c>init.safetensors</c> and rewind
/// files must match <c>seed.json</c>. Levels in training (no summary yet) are not checked.
/// </summary>
public static class StoreVerifier
{
    /// <summary>Files every verified level records.</summary>
    private static readonly string[] Required = [RunStore.MaskFile, RunStore.FinalFile, RunStore.MetricsFile, RunStore.WinnersFile];

    /// <exception cref="DirectoryNotFoundException">The root does not exist.</exception>
    public static StoreCheck Check(string root)
    {
        var full = Path.GetFullPath(root);
        if (!Directory.Exists(full)) throw new DirectoryNotFoundException($"{root}: no such runs directory");
        var c = new Counter();
        foreach (var runDir in RunDirs(full)) CheckRun(runDir, c);
        return new StoreCheck(c.Problems, c.Unverified, c.Runs, c.Seeds, c.Levels, c.Files);
    }

    private sealed class Counter
    {
        public List<string> Problems { get; } = new();
        public List<string> Unverified { get; } = new();
        public int Runs, Seeds, Levels, Files;
    }

    /// <summary>Folders named <c>lottery_*</c> and folders holding an <c>hparams.json</c>, anywhere below the root (or the root itself), in ordinal order.</summary>
    private static List<string> RunDirs(string root)
    {
        var dirs = new SortedSet<string>(StringComparer.Ordinal);
        if (Path.GetFileName(root).StartsWith(RunStore.RunPrefix, StringComparison.Ordinal)) dirs.Add(root);
        foreach (var d in Directory.EnumerateDirectories(root, RunStore.RunPrefix + "*", SearchOption.AllDirectories)) dirs.Add(d);
        foreach (var f in Directory.EnumerateFiles(root, RunStore.HparamsFile, SearchOption.AllDirectories)) dirs.Add(Path.GetDirectoryName(f)!);
        return dirs.ToList();
    }

    private static void CheckRun(string runDir, Counter c)
    {
        c.Runs++;
        var file = Path.Combine(runDir, RunStore.HparamsFile);
        var hashes = new HashSet<string>(StringComparer.Ordinal);
        var name = Path.GetFileName(runDir);
        if (name.StartsWith(RunStore.RunPrefix, StringComparison.Ordinal)) hashes.Add(name[RunStore.RunPrefix.Length..]);
        if (!File.Exists(file)) c.Problems.Add($"{runDir}: no {RunStore.HparamsFile}");
        else
        {
            try
            {
                var json = File.ReadAllText(file);
                var hp = Hparams.FromJson(json, source: file);
                hashes.Add(Hparams.Hash(hp));
                if (!RunStore.IsNamedBy(runDir, json, hp))
                    c.Problems.Add($"{file}: hashes to {RunStore.RunPrefix}{Hparams.Hash(hp)}, not {name} (edited after the run, or a renamed copy)");
            }
            catch (HparamsException e) { c.Problems.Add(e.Message.StartsWith(file, StringComparison.Ordinal) ? e.Message : $"{file}: {e.Message}"); }
        }
        foreach (var seedDir in Directory.EnumerateDirectories(runDir, RunStore.SeedPrefix + "*").Where(d => RunStore.SeedOf(d) is not null).OrderBy(d => RunStore.SeedOf(d)))
            CheckSeed(seedDir, RunStore.SeedOf(seedDir)!.Value, hashes, c);
    }

    private static void CheckSeed(string seedDir, long seed, HashSet<string> hashes, Counter c)
    {
        c.Seeds++;
        int unverifiedLevels = 0, levels = 0;
        bool levelZeroVerified = false;   // a current lth writes seed.json before level 0: then it must be there
        foreach (var levelDir in Directory.EnumerateDirectories(seedDir, RunStore.LevelPrefix + "*").Where(d => RunStore.LevelOf(d) is not null).OrderBy(d => RunStore.LevelOf(d)))
        {
            int level = RunStore.LevelOf(levelDir)!.Value;
            var summaryPath = RunStore.SummaryIn(levelDir);
            if (!File.Exists(summaryPath)) continue;   // in training
            c.Levels++;
            levels++;
            LevelSummary s;
            try { s = LevelSummary.Load(summaryPath); }
            catch (InvalidDataException e) { c.Problems.Add(FirstLine(e.Message)); continue; }
            if (s.Level != level || s.Seed != seed || (hashes.Count > 0 && !hashes.Contains(s.Hash)))
                c.Problems.Add($"{summaryPath}: records run {s.Hash}, seed {s.Seed}, level {s.Level}, not this folder's");
            if (!s.Verified) { unverifiedLevels++; continue; }
            levelZeroVerified |= level == 0;
            foreach (var missing in Required.Where(r => !s.Files!.ContainsKey(r))) c.Problems.Add($"{summaryPath}: records no digest of {missing}");
            CheckFiles(levelDir, s.Files!, summaryPath, _ => levelDir, c);
        }

        var recordPath = Path.Combine(seedDir, RunStore.SeedRecordFile);
        var init = Path.Combine(seedDir, RunStore.InitFile);
        var seedFiles = Directory.EnumerateFiles(seedDir, "*.safetensors").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        bool unverifiedInit = false;
        if (File.Exists(recordPath))
        {
            try
            {
                var recorded = SeedRecord.Load(recordPath).Files;
                CheckFiles(seedDir, recorded, recordPath, f => f == RunStore.InitFile ? seedDir : RunStore.LevelDirIn(seedDir, 0), c);
                foreach (var f in seedFiles.Where(f => !recorded.ContainsKey(f!))) c.Problems.Add($"{Path.Combine(seedDir, f!)}: not recorded in {recordPath}");
                if (levels > 0 && !recorded.ContainsKey(RunStore.InitFile)) c.Problems.Add($"{recordPath}: records no digest of {RunStore.InitFile}");
            }
            catch (InvalidDataException e) { c.Problems.Add(FirstLine(e.Message)); }
        }
        else if (levelZeroVerified) c.Problems.Add($"{init}: not covered: {recordPath} is missing");
        else if (seedFiles.Count > 0) unverifiedInit = true;
        if (levels > 0 && !File.Exists(init) && !File.Exists(recordPath)) c.Problems.Add($"{init}: missing");

        if (unverifiedLevels > 0 || unverifiedInit)
            c.Unverified.Add($"{seedDir}: unverified: " + (unverifiedLevels > 0
                ? $"{unverifiedLevels} level(s) written before lth recorded digests"
                : "files written before lth recorded digests"));
    }

    /// <summary>Checks each file a record lists; <paramref name="redo"/> gives the folder to delete to redo a file.</summary>
    private static void CheckFiles(string dir, Dictionary<string, string> digests, string record, Func<string, string> redo, Counter c)
    {
        foreach (var name in digests.Keys)
        {
            if (name != Path.GetFileName(name) || name is "." or ".." or RunStore.SummaryFile or RunStore.SeedRecordFile)
            {
                c.Problems.Add($"{record}: records '{name}', which is not a file of this folder");
                continue;
            }
            c.Files++;
            if (StoredFiles.Problem(Path.Combine(dir, name), digests, record) is { } problem) c.Problems.Add($"{problem}; {StoredFiles.RedoLevel(redo(name))}");
        }
    }

    private static string FirstLine(string s) => s.Split('\n')[0].TrimEnd();
}
