using System.Text.Json.Nodes;

namespace Lth.Experiments;

/// <summary>
/// A study file: a preset, hparam overrides, a grid over any hparams, seeds and levels — everything
/// <c>lth sweep</c> needs. JSON, schema:
/// <code>
/// { "description": "…", "preset": "lenet-fashion", "levels": 20, "seeds": "1-11",
///   "hparams": { "steps": "5ep" },                  // single values (flag names)
///   "grid": { "init": ["xavier-normal", "kaiming-normal"], "lr": [0.001, 0.002] } }
/// </code>
/// Shipped studies are embedded (<c>Experiments/Studies/*.json</c>); a path to a file works too.
/// </summary>
public sealed record Study(string Name, string Description, string? PresetName, int Levels, string Seeds,
                           LotteryHparams Base, IReadOnlyList<(string Flag, IReadOnlyList<string> Values)> Grid)
{
    private const string Prefix = "Lth.Studies.";

    public static IReadOnlyDictionary<string, string> Shipped { get; } = LoadShipped();

    /// <summary>A shipped study by name, or a study file by path.</summary>
    public static Study Load(string nameOrPath)
    {
        if (Shipped.TryGetValue(nameOrPath, out var json)) return Parse(nameOrPath, json);
        if (File.Exists(nameOrPath)) return Parse(Path.GetFileNameWithoutExtension(nameOrPath), File.ReadAllText(nameOrPath));
        throw new HparamsException($"--study: '{nameOrPath}' is neither a shipped study ({string.Join(", ", Shipped.Keys)}) nor a file");
    }

    public static Study Parse(string name, string json)
    {
        JsonObject obj;
        try { obj = JsonNode.Parse(json) as JsonObject ?? throw new HparamsException($"study {name}: expected a JSON object"); }
        catch (System.Text.Json.JsonException e) { throw new HparamsException($"study {name}: not valid JSON ({e.Message.Split('\n')[0]})"); }
        foreach (var (key, _) in obj)
            if (key is not ("description" or "preset" or "levels" or "seeds" or "hparams" or "grid"))
                throw new HparamsException($"study {name}: unknown key '{key}'");
        string? presetName = obj["preset"]?.GetValue<string>();
        var preset = presetName is null ? null : Preset.Get(presetName);
        var hp = preset?.Hparams ?? new LotteryHparams();
        if (obj["hparams"] is JsonObject h) hp = Hparams.FromJson(h.ToJsonString(), hp, $"study {name}");
        var grid = new List<(string, IReadOnlyList<string>)>();
        if (obj["grid"] is JsonObject g)
            foreach (var (flag, values) in g)
            {
                if (!Hparams.IsField(flag)) throw new HparamsException($"study {name}: unknown hyperparameter '{flag}' in grid");
                if (values is not JsonArray arr || arr.Count == 0) throw new HparamsException($"study {name}: grid '{flag}' must be a non-empty list");
                grid.Add((flag, arr.Select(v => v!.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : v.ToJsonString()).ToList()));
            }
        int levels = obj["levels"]?.GetValue<int>() ?? preset?.Levels ?? 0;
        string seeds = obj["seeds"]?.GetValue<string>() ?? "1";
        return new Study(name, obj["description"]?.GetValue<string>() ?? "", presetName, levels, seeds, hp, grid);
    }

    private static Dictionary<string, string> LoadShipped()
    {
        var asm = typeof(Study).Assembly;
        var all = new Dictionary<string, string>();
        foreach (var res in asm.GetManifestResourceNames().Where(r => r.StartsWith(Prefix) && r.EndsWith(".json")).Order())
        {
            using var r = new StreamReader(asm.GetManifestResourceStream(res)!);
            all[res[Prefix.Length..^".json".Length]] = r.ReadToEnd();
        }
        return all;
    }
}
