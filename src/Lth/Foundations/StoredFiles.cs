namespace Lth.Foundations;

/// <summary>
/// The verified store: every stored file is checked against the SHA-256 recorded when it was written before it is
/// used again. A level's files are recorded in its <c>summary.json</c> (<see cref="LevelSummary.Files"/>), a seed's
/// <c>init.safetensors</c> and rewind points in <c>seed.json</c> (<see cref="SeedRecord"/>). Each method returns the
/// file's path once it matches, or throws <see cref="InvalidDataException"/> with one line that names the file and
/// the folder to delete to redo it. Files of runs written before lth recorded digests are returned unchecked
/// (unverified; <c>lth verify</c> lists them).
/// </summary>
public static class StoredFiles
{
    /// <summary>The path of file <paramref name="name"/> of a complete level, checked against the level's <c>summary.json</c>.</summary>
    public static string Level(string levelDir, string name)
    {
        var summary = RunStore.SummaryIn(levelDir);
        if (!File.Exists(summary)) throw new InvalidDataException($"{levelDir}: level is not complete (no {RunStore.SummaryFile}); rerun the command that trains it");
        return Level(levelDir, LevelSummary.Load(summary), name);
    }

    /// <summary>The path of file <paramref name="name"/> of a level whose summary is already loaded, checked against it.</summary>
    public static string Level(string levelDir, LevelSummary summary, string name)
    {
        var path = Path.Combine(levelDir, name);
        if (summary.Files is not null) Check(path, summary.Files, RunStore.SummaryIn(levelDir), levelDir);
        return path;
    }

    /// <summary>
    /// The path of a seed folder's file (<c>init.safetensors</c>, <c>rewind_&lt;k&gt;.safetensors</c>), checked against
    /// <c>seed.json</c>. Without a <c>seed.json</c> the file is an earlier lth's and is returned unchecked, unless level 0
    /// already records digests (a current lth writes <c>seed.json</c> before level 0 starts): then it cannot be trusted.
    /// </summary>
    public static string Seed(string seedDir, string name)
    {
        var path = Path.Combine(seedDir, name);
        var record = Path.Combine(seedDir, RunStore.SeedRecordFile);
        var redo = name == RunStore.InitFile ? seedDir : RunStore.LevelDirIn(seedDir, 0);
        if (File.Exists(record)) Check(path, SeedRecord.Load(record).Files, record, redo);
        else if (LevelZeroRecordsDigests(seedDir))
            throw new InvalidDataException($"{path}: cannot be verified: {record} is missing; {RedoLevel(redo)}");
        return path;
    }

    /// <summary>Whether this seed folder has a <c>seed.json</c>, or level 0 of it is complete without digests (an earlier lth's run).</summary>
    public static bool SeedFilesKnown(string seedDir) =>
        File.Exists(Path.Combine(seedDir, RunStore.SeedRecordFile)) || File.Exists(RunStore.SummaryIn(RunStore.LevelDirIn(seedDir, 0)));

    /// <summary>Records (adds or replaces) the digest of a seed folder's file in its <c>seed.json</c>, atomically.</summary>
    public static void RecordSeedFile(string seedDir, string name, string digest)
    {
        var path = Path.Combine(seedDir, RunStore.SeedRecordFile);
        var files = File.Exists(path) ? new Dictionary<string, string>(SeedRecord.Load(path).Files, StringComparer.Ordinal) : new(StringComparer.Ordinal);
        files[name] = digest;
        AtomicFile.WriteText(path, new SeedRecord { Files = files.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary() }.ToJson());
    }

    /// <summary>What to do about a damaged level (or seed) folder, as the end of an error line.</summary>
    public static string RedoLevel(string dir) => $"to redo it, delete {dir} and rerun the command that trained it";

    /// <summary>The problem with <paramref name="path"/> against the digests of <paramref name="record"/>, or null when it matches.</summary>
    public static string? Problem(string path, IReadOnlyDictionary<string, string> digests, string record)
    {
        var name = Path.GetFileName(path);
        if (!digests.TryGetValue(name, out var expected)) return $"{path}: not recorded in {record}";
        if (!File.Exists(path)) return $"{path}: missing (recorded in {record})";
        return FileDigest.Of(path) == expected ? null : $"{path}: contents differ from the SHA-256 recorded in {record} (changed or damaged after it was written)";
    }

    private static void Check(string path, IReadOnlyDictionary<string, string> digests, string record, string redo)
    {
        if (Problem(path, digests, record) is { } problem) throw new InvalidDataException($"{problem}; {RedoLevel(redo)}");
    }

    private static bool LevelZeroRecordsDigests(string seedDir)
    {
        var summary = RunStore.SummaryIn(RunStore.LevelDirIn(seedDir, 0));
        return File.Exists(summary) && LevelSummary.Load(summary).Verified;
    }
}
