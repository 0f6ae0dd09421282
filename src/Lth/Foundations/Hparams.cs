using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text;

namespace Lth.Foundations;

/// <summary>
/// The single source of truth for hyperparameters: the CLI flags, preset files, the canonical
/// string, <c>hparams.json</c> and the run hash are all derived from the <see cref="HparamAttribute"/>
/// declarations on the hparams records (after open_lth's hparams).
/// </summary>
public static class Hparams
{
    /// <summary>Every field, in declaration order: dataset, model, training, pruning, then lottery-level fields.</summary>
    public static IReadOnlyList<HparamField> Fields { get; } = BuildFields();

    private static readonly Dictionary<string, HparamField> ByFlag = Fields.ToDictionary(f => f.Flag);
    private static readonly LotteryHparams Defaults = new();

    public static HparamField Field(string flag) =>
        ByFlag.TryGetValue(flag, out var f) ? f : throw new HparamsException($"unknown hyperparameter '{flag}'");

    public static bool IsField(string flag) => ByFlag.ContainsKey(flag);

    /// <summary>Sets a field from text (as from a flag or preset); validation happens in <see cref="Validate"/>.</summary>
    public static LotteryHparams With(this LotteryHparams hp, string flag, string text)
    {
        var f = Field(flag);
        return f.With(hp, f.Parse(text));
    }

    /// <summary>
    /// <c>section.flag=value</c> for every field that differs from its default, sorted, joined by ';'.
    /// Fields at their default are left out, so adding a field with a neutral default keeps old hashes.
    /// </summary>
    public static string Canonical(LotteryHparams hp) => Canonical(hp, []);

    /// <summary><see cref="Canonical(LotteryHparams)"/> without the fields named in <paramref name="omit"/> (e.g. a cohort's key).</summary>
    public static string Canonical(LotteryHparams hp, IReadOnlyCollection<string> omit) =>
        string.Join(";", Fields
            .Where(f => !omit.Contains(f.Flag))
            .Select(f => (f, v: CanonicalValue(f, hp), d: f.Format(f.Get(Defaults))))
            .Where(x => x.v != x.d)
            .Select(x => $"{x.f.Section}.{x.f.Flag}={x.v}")
            .OrderBy(s => s, StringComparer.Ordinal));

    private static string CanonicalValue(HparamField f, LotteryHparams hp) =>
        f.Get(hp) is string s ? CanonicalSpec(f.Flag, s) : f.Format(f.Get(hp));

    /// <summary>First 16 hex digits of SHA-256 of <see cref="Canonical"/>: the run's identity.</summary>
    public static string Hash(LotteryHparams hp) => HashOf(Canonical(hp));

    private static string HashOf(string canonical) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..16];

    /// <summary>
    /// The hash that an lth from before canonical specs gave the hparams of <paramref name="json"/> (an <c>hparams.json</c>):
    /// spec-valued fields as written there (trimmed), not canonicalized. Such an lth named its run folder by it, so a folder
    /// so named is that run, stored under an older spelling. Null when the text is not readable hparams.
    /// </summary>
    public static string? HashAsWritten(string json)
    {
        LotteryHparams hp;
        JsonObject obj;
        try { hp = FromJson(json); obj = (JsonObject)JsonNode.Parse(json)!; }
        catch (HparamsException) { return null; }
        var written = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in obj)
            foreach (var (flag, v) in value is JsonObject section ? section.ToList() : [KeyValuePair.Create(key, value)])
                if (v is not null && v.GetValueKind() == JsonValueKind.String) written[flag] = v.GetValue<string>().Trim();
        return HashOf(string.Join(";", Fields
            .Select(f => (f, v: f.Type == typeof(string) && written.TryGetValue(f.Flag, out var w) ? w : f.Format(f.Get(hp)), d: f.Format(f.Get(Defaults))))
            .Where(x => x.v != x.d)
            .Select(x => $"{x.f.Section}.{x.f.Flag}={x.v}")
            .OrderBy(s => s, StringComparer.Ordinal)));
    }

    /// <summary>All fields (defaults included) as JSON: { section: { flag: value } }.</summary>
    public static string ToJson(LotteryHparams hp)
    {
        var root = new JsonObject();
        foreach (var g in Fields.GroupBy(f => f.Section))
        {
            var sec = new JsonObject();
            foreach (var f in g)
                sec[f.Flag] = f.Get(hp) switch
                {
                    string s => JsonValue.Create(s),
                    int i => JsonValue.Create(i),
                    long l => JsonValue.Create(l),
                    double d => JsonValue.Create(d),
                    bool b => JsonValue.Create(b),
                    Enum e => JsonValue.Create(f.Format(e)),
                    var o => JsonValue.Create(o?.ToString()),
                };
            root[g.Key] = sec;
        }
        return root.ToJsonString(new JsonSerializerOptions(JsonSerializerDefaults.General) { WriteIndented = true, TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() });
    }

    /// <summary>Reads <see cref="ToJson"/>'s format, or a flat { flag: value } object (preset files).</summary>
    public static LotteryHparams FromJson(string json, LotteryHparams? start = null, string source = "hparams")
    {
        var hp = start ?? new LotteryHparams();
        JsonNode? node;
        try { node = JsonNode.Parse(json); }
        catch (JsonException e) { throw new HparamsException($"{source}: not valid JSON ({e.Message.Split('\n')[0]})"); }
        if (node is not JsonObject obj) throw new HparamsException($"{source}: expected a JSON object");
        foreach (var (key, value) in obj)
        {
            if (value is JsonObject section)
                foreach (var (k2, v2) in section) hp = SetJson(hp, k2, v2, source);
            else hp = SetJson(hp, key, value, source);
        }
        return hp;
    }

    private static LotteryHparams SetJson(LotteryHparams hp, string flag, JsonNode? value, string source)
    {
        if (!IsField(flag)) throw new HparamsException($"{source}: unknown hyperparameter '{flag}'");
        var text = value is null ? "" : value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
        return hp.With(flag, text);
    }

    /// <summary>
    /// Checks every field's range and every rule between fields; throws <see cref="HparamsException"/> naming
    /// the flag. Range rules live here; rules that need a registry (does this model use --activation? is this
    /// strategy's flag honoured?) are registered by the layer that owns the registry (<see cref="RegisterCheck"/>).
    /// </summary>
    public static void Validate(LotteryHparams hp)
    {
        var d = hp.Dataset; var t = hp.Training; var p = hp.Pruning;
        Require(d.Validation >= 0, "validation", "must be >= 0");
        Require(d.TrainSubset >= 0, "train-subset", "must be >= 0");
        Require(d.TestSubset >= 0, "test-subset", "must be >= 0");
        Require(t.Lr > 0, "lr", "must be > 0");
        Require(t.Momentum >= 0 && t.Momentum < 1, "momentum", "must be in [0, 1)");
        Require(t.WeightDecay >= 0, "weight-decay", "must be >= 0");
        Require(t.Beta1 >= 0 && t.Beta1 < 1, "beta1", "must be in [0, 1)");
        Require(t.Beta2 >= 0 && t.Beta2 < 1, "beta2", "must be in [0, 1)");
        Require(t.Eps > 0, "eps", "must be > 0");
        Require(t.Batch > 0, "batch", "must be > 0");
        Require(t.LrGamma > 0 && t.LrGamma <= 1, "lr-gamma", $"{t.LrGamma} is outside (0, 1]");
        Require(t.LrDrops.Length > 0 || t.LrGamma == Defaults.Training.LrGamma, "lr-gamma",
                "has no effect without --lr-drops (the milestones where it applies); give both or neither");
        foreach (var (flag, rate) in new[] { ("rate", p.Rate), ("rate-output", p.RateOutput), ("rate-conv", p.RateConv) })
            Require(rate >= 0 && rate < 1, flag, $"{rate} is outside [0, 1)");
        Require(p.SynflowRounds >= 1, "synflow-rounds", $"{p.SynflowRounds} must be >= 1");
        Require(p.GraspTemperature > 0 && double.IsFinite(p.GraspTemperature), "grasp-temperature", $"{p.GraspTemperature} must be a positive number");
        if (hp.TransferFrom.Length > 0) Require(hp.Control == Control.None, "transfer-from", "cannot be combined with --control");
        foreach (var f in Fields.Where(f => f.Type == typeof(string))) CanonicalSpec(f.Flag, (string)f.Get(hp)!);
        foreach (var check in checks) Wrap(check.Flag, () => check.Check(hp));
    }

    private static readonly Dictionary<string, Func<string, string>> specs = new(StringComparer.Ordinal);
    private static readonly List<(string Flag, Action<LotteryHparams> Check)> checks = new();

    /// <summary>
    /// Declares <paramref name="flag"/> spec-valued: every value given to it (flag, preset, study, <c>hparams.json</c>)
    /// is replaced by <paramref name="canonical"/>'s result before it is stored, hashed or grouped. The function
    /// throws <see cref="FormatException"/> or <see cref="ArgumentException"/> for a value it does not accept.
    /// The registries (init schemes, models, strategies …) register themselves in <c>Experiments/Registrations.cs</c>.
    /// </summary>
    public static void RegisterSpec(string flag, Func<string, string> canonical)
    {
        Field(flag);
        specs[flag] = canonical;
    }

    /// <summary>Adds a rule that <see cref="Validate"/> applies; its errors are reported against <paramref name="flag"/>.</summary>
    public static void RegisterCheck(string flag, Action<LotteryHparams> check) => checks.Add((flag, check));

    /// <summary>The canonical form of a value of a spec-valued flag (unchanged for other flags).</summary>
    public static string CanonicalSpec(string flag, string value)
    {
        if (!specs.TryGetValue(flag, out var canonical)) return value;
        string result = value;
        Wrap(flag, () => result = canonical(value));
        return result;
    }

    private static void Require(bool ok, string flag, string problem)
    {
        if (!ok) throw new HparamsException($"--{flag}: {problem}");
    }

    private static void Wrap(string flag, Action parse)
    {
        try { parse(); }
        catch (HparamsException) { throw; }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            var msg = e.Message.Split('\n')[0];
            throw new HparamsException(msg.StartsWith(flag + ":") ? "--" + msg : $"--{flag}: {msg}");
        }
    }

    private static List<HparamField> BuildFields()
    {
        var fields = new List<HparamField>();
        var sections = new (string Name, string Prop)[] { ("dataset", "Dataset"), ("model", "Model"), ("training", "Training"), ("pruning", "Pruning") };
        foreach (var (name, prop) in sections)
        {
            var sp = typeof(LotteryHparams).GetProperty(prop)!;
            foreach (var p in sp.PropertyType.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                if (p.GetCustomAttribute<HparamAttribute>() is { } a) fields.Add(new HparamField(name, sp, p, a));
        }
        foreach (var p in typeof(LotteryHparams).GetProperties(BindingFlags.Public | BindingFlags.Instance))
            if (p.GetCustomAttribute<HparamAttribute>() is { } a) fields.Add(new HparamField("lottery", null, p, a));
        return fields;
    }
}
