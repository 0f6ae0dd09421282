using System.Reflection;
using System.Text.Json.Nodes;

namespace Lth.Foundations;

/// <summary>
/// A named starting point for hparams, stored as a JSON data file (<c>Experiments/Presets/*.json</c>,
/// embedded in the library): a description, a default number of levels and a flat
/// <c>{ flag: value }</c> map of hparams. Flags given on the command line override it.
/// </summary>
public sealed record Preset(string Name, string Description, int Levels, LotteryHparams Hparams)
{
    private const string Prefix = "Lth.Presets.";

    /// <summary>All presets shipped with lth, by name.</summary>
    public static IReadOnlyDictionary<string, Preset> All { get; } = LoadAll();

    public static Preset Get(string name) => All.TryGetValue(name, out var p) ? p
        : throw new HparamsException($"--preset: unknown preset '{name}' (known: {string.Join(", ", All.Keys)})");

    /// <summary>Parses a preset file's text.</summary>
    public static Preset Parse(string name, string json)
    {
        var node = JsonNode.Parse(json) as JsonObject ?? throw new HparamsException($"preset {name}: expected a JSON object");
        var desc = node["description"]?.GetValue<string>() ?? "";
        int levels = node["levels"]?.GetValue<int>() ?? 0;
        var hp = node["hparams"] is JsonObject h ? Foundations.Hparams.FromJson(h.ToJsonString(), source: $"preset {name}") : new LotteryHparams();
        Foundations.Hparams.Validate(hp);
        return new Preset(name, desc, levels, hp);
    }

    private static Dictionary<string, Preset> LoadAll()
    {
        var asm = typeof(Preset).Assembly;
        var all = new SortedDictionary<string, Preset>(StringComparer.Ordinal);
        foreach (var res in asm.GetManifestResourceNames().Where(r => r.StartsWith(Prefix) && r.EndsWith(".json")))
        {
            using var s = asm.GetManifestResourceStream(res)!;
            using var r = new StreamReader(s);
            var name = res[Prefix.Length..^".json".Length];
            all[name] = Parse(name, r.ReadToEnd());
        }
        return new Dictionary<string, Preset>(all);
    }
}
