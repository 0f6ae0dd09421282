using System.Globalization;
using CsvHelper;

namespace Lth.Reports;

/// <summary>One finished level of one run (a lottery directory × seed × level) and the group it belongs to.</summary>
public sealed record RunLevel(string LotteryDir, LotteryHparams Hparams, string Hash, long Seed, int Level, LevelSummary Summary, string Group)
{
    public string SeedDir => RunStore.SeedDirIn(LotteryDir, Seed);
    public string LevelDir => RunStore.LevelDirIn(SeedDir, Level);
    /// <summary>Usable for accuracy statistics: not diverged and with a test accuracy at early stop.</summary>
    public bool Ok => !Summary.Diverged && Summary.TestAccuracyAtEarlyStop.HasValue;
}

/// <summary>A group of runs: the runs sharing every hparam that varies in the study (so: the same scheme, control, …).</summary>
public sealed record StudyGroup(string Name, string Init, Control Control, IReadOnlyDictionary<string, string> Values)
{
    public bool IsControl => Control != Control.None;
}

/// <summary>
/// Every finished level found under a runs root (complete and partly complete runs alike), the hparams that are
/// common to all runs and those that vary, and the groups the varying ones define. Its tidy table is
/// <c>results.csv</c>: one row per run × level.
/// </summary>
public sealed class StudyResults
{
    public string Root { get; }
    public IReadOnlyList<RunLevel> Rows { get; }
    /// <summary>Hparams whose value differs between runs (these define the groups).</summary>
    public IReadOnlyList<HparamField> Varying { get; }
    /// <summary>Hparams with one value in every run: flag → value.</summary>
    public IReadOnlyList<(HparamField Field, string Value)> Common { get; }
    public IReadOnlyList<StudyGroup> Groups { get; }
    /// <summary>Prunable weight tensors (the per-layer density columns), in first-seen order.</summary>
    public IReadOnlyList<string> Layers { get; }
    /// <summary>What was found below the root and left out, one line each (an unreadable summary: its level is skipped).</summary>
    public IReadOnlyList<string> Warnings { get; }

    private StudyResults(string root, List<RunLevel> rows, List<HparamField> varying, List<(HparamField, string)> common, List<StudyGroup> groups,
                         List<string> layers, List<string> warnings)
    {
        Root = root; Rows = rows; Varying = varying; Common = common; Groups = groups; Layers = layers; Warnings = warnings;
    }

    public StudyGroup Group(string name) => Groups.First(g => g.Name == name);

    public IEnumerable<RunLevel> Of(string group) => Rows.Where(r => r.Group == group);

    /// <summary>
    /// Reads every <c>hparams.json</c> below <paramref name="root"/> (or in it) and every
    /// <c>seed_*/level_*/summary.json</c> beside it. What cannot be trusted does not stop the report; it is left out, with a
    /// line in <see cref="Warnings"/>: a level whose summary cannot be read (truncated, edited), a run folder whose
    /// <c>hparams.json</c> does not hash to its name (<see cref="RunStore.IsNamedBy"/>: edited after the run, or a renamed
    /// copy), and a (run hash, seed) already found in a folder earlier in ordinal path order (a backup copy below the
    /// root), so each is counted once.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The root does not exist.</exception>
    /// <exception cref="InvalidDataException">No finished level anywhere below it, or an unreadable file.</exception>
    public static StudyResults Load(string root)
    {
        var full = Path.GetFullPath(root);
        if (!Directory.Exists(full)) throw new DirectoryNotFoundException($"{root}: no such runs directory");
        var warnings = new List<string>();
        var runs = new List<(string Dir, LotteryHparams Hp, string Hash)>();
        foreach (var file in Directory.EnumerateFiles(full, RunStore.HparamsFile, SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var dir = Path.GetDirectoryName(file)!;
            if (!Directory.EnumerateDirectories(dir, RunStore.SeedPrefix + "*").Any()) continue;
            LotteryHparams hp;
            var json = File.ReadAllText(file);
            try { hp = Hparams.FromJson(json, source: file); }
            catch (HparamsException e) { throw new InvalidDataException(e.Message, e); }
            if (!RunStore.IsNamedBy(dir, json, hp))
            {
                warnings.Add($"{file}: hashes to {RunStore.RunPrefix}{Hparams.Hash(hp)}, not {Path.GetFileName(dir)} (edited after the run, or a renamed copy); run left out of the report");
                continue;
            }
            runs.Add((dir, hp, Hparams.Hash(hp)));
        }

        var fieldValues = Hparams.Fields.Select(f => (Field: f, Values: runs.Select(r => f.Format(f.Get(r.Hp))).ToList())).ToList();
        var varying = fieldValues.Where(x => x.Values.Distinct().Count() > 1).Select(x => x.Field).ToList();
        var common = fieldValues.Where(x => x.Values.Count > 0 && x.Values.Distinct().Count() == 1).Select(x => (x.Field, x.Values[0])).ToList();

        var groups = new Dictionary<string, StudyGroup>();
        var rows = new List<RunLevel>();
        var layers = new List<string>();
        var seen = new Dictionary<(string Hash, long Seed), string>();
        foreach (var (dir, hp, hash) in runs)
        {
            var values = varying.ToDictionary(f => f.Flag, f => f.Format(f.Get(hp)));
            string name = GroupName(hp, varying, values);
            if (!groups.ContainsKey(name)) groups[name] = new StudyGroup(name, hp.Model.Init, hp.Control, values);
            foreach (var seedDir in Directory.EnumerateDirectories(dir, RunStore.SeedPrefix + "*").Order(StringComparer.Ordinal))
            {
                if (RunStore.SeedOf(seedDir) is not long seed) continue;
                if (seen.TryGetValue((hash, seed), out var first))
                {
                    warnings.Add($"{seedDir}: the same run ({hash}) and seed as {first}; this copy is left out of the report (each run and seed counts once)");
                    continue;
                }
                seen[(hash, seed)] = seedDir;
                foreach (var levelDir in Directory.EnumerateDirectories(seedDir, RunStore.LevelPrefix + "*"))
                {
                    if (RunStore.LevelOf(levelDir) is not int level) continue;
                    var summaryPath = RunStore.SummaryIn(levelDir);
                    if (!File.Exists(summaryPath)) continue;   // a level still training
                    LevelSummary s;
                    try { s = LevelSummary.Load(summaryPath); }
                    catch (InvalidDataException e) { warnings.Add($"{e.Message.Split('\n')[0]} (level left out of the report)"); continue; }
                    foreach (var layer in s.LayerDensity.Keys) if (!layers.Contains(layer)) layers.Add(layer);
                    rows.Add(new RunLevel(dir, hp, hash, seed, level, s, name));
                }
            }
        }
        if (rows.Count == 0)
            throw new InvalidDataException($"{root}: no finished levels found (expected lottery_<hash>/seed_<s>/level_<L>/summary.json below it)");
        rows = rows.OrderBy(r => r.Group, StringComparer.Ordinal).ThenBy(r => r.Hash, StringComparer.Ordinal).ThenBy(r => r.Seed).ThenBy(r => r.Level).ToList();
        var ordered = groups.Values.Where(g => rows.Any(r => r.Group == g.Name))
            .OrderBy(g => g.IsControl).ThenBy(g => g.Name, StringComparer.Ordinal).ToList();
        return new StudyResults(full, rows, varying, common, ordered, layers, warnings);
    }

    /// <summary>
    /// The group's display name: the scheme when only schemes vary, then the other varying hparams as
    /// <c>flag=value</c>; a control appears as <c>[control]</c>, the lottery runs themselves carry no tag.
    /// </summary>
    public static string GroupName(LotteryHparams hp, IReadOnlyList<HparamField> varying, IReadOnlyDictionary<string, string> values)
    {
        var parts = new List<string>();
        if (varying.Any(f => f.Flag == "init")) parts.Add(values["init"]);
        foreach (var f in varying)
        {
            if (f.Flag is "init" or "control") continue;
            parts.Add($"{f.Flag}={values[f.Flag]}");
        }
        if (parts.Count == 0) parts.Add(hp.Model.Init);
        if (hp.Control != Control.None) parts.Add($"[{ChoiceText.Of(hp.Control)}]");
        return string.Join(" ", parts);
    }

    /// <summary>The column names of <c>results.csv</c>, in order.</summary>
    public IReadOnlyList<string> Columns =>
    [
        "run", "group", "model", "dataset", "init", "control", "seed", "level", "density",
        .. Layers.Select(l => "density_" + l),
        "early_stop_iteration", "test_accuracy_at_early_stop", "final_test_accuracy", "val_loss_at_early_stop",
        "final_val_accuracy", "diverged", "diverged_at", "iterations", "wall_seconds",
        .. ExtraVarying.Select(f => f.Flag.Replace('-', '_')),
    ];

    private IEnumerable<HparamField> ExtraVarying => Varying.Where(f => f.Flag is not ("init" or "control" or "model" or "dataset"));

    /// <summary>Writes <c>results.csv</c> (tidy, invariant culture, round-trip doubles, empty cells for missing values).</summary>
    public void WriteCsv(string path) => Csv.Write(path, Columns, Rows.Select(r =>
    {
        var sm = r.Summary;
        var cells = new List<string>
        {
            r.Hash, r.Group, r.Hparams.Model.Name, r.Hparams.Dataset.Name, r.Hparams.Model.Init, ChoiceText.Of(r.Hparams.Control),
            Csv.Num(r.Seed), Csv.Num(r.Level), Csv.Num(sm.Density),
        };
        foreach (var l in Layers) cells.Add(sm.LayerDensity.TryGetValue(l, out var d) ? Csv.Num(d) : "");
        cells.AddRange([
            Csv.Num(sm.EarlyStopIteration), Csv.Num(sm.TestAccuracyAtEarlyStop), Csv.Num(sm.FinalTestAccuracy),
            Csv.Num(sm.ValLossAtEarlyStop), Csv.Num(sm.FinalValAccuracy), sm.Diverged ? "true" : "false",
            Csv.Num(sm.DivergedAt), Csv.Num(sm.Iterations), Csv.Num(sm.WallSeconds),
        ]);
        foreach (var f in ExtraVarying) cells.Add(f.Format(f.Get(r.Hparams)));
        return (IReadOnlyList<string>)cells;
    }));
}
