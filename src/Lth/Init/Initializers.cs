namespace Lth.Init;

/// <summary>
/// The registry of weight initialization schemes and the parser of their specs:
/// <c>name</c> or <c>name:key=value,key=value</c>, e.g. <c>kaiming-normal:mode=fan_out,nonlinearity=tanh</c>.
/// Every scheme takes <c>gain=</c> (&gt; 0), a multiplier on its scale. The aliases of the seed study
/// (<c>xavier-{uniform,normal}-{half,double}</c>) take no parameters and resolve to e.g. <c>xavier-normal:gain=0.5</c>.
/// See docs/init-schemes.md for the formulas.
/// </summary>
public static class Initializers
{
    private sealed record Entry(string Name, string Description, string[] Keys, Func<InitSpec, IInitializer> Create, bool IsAlias = false);

    private static readonly string[] GainOnly = ["gain"];
    private static readonly string[] KaimingKeys = ["a", "gain", "mode", "nonlinearity"];

    private static readonly Dictionary<string, FanMode> Modes = new()
    {
        ["fan_in"] = FanMode.FanIn,
        ["fan_out"] = FanMode.FanOut,
    };

    // Copy-on-write, so that a registration never disturbs a parse running on another thread.
    private static Entry[] Entries =
    [
        new("xavier-uniform", "Glorot uniform U(±gain·√(6/(fan_in+fan_out))) — torch.nn.init.xavier_uniform_",
            GainOnly, s => new XavierInitializer(true, s.Number("gain", 1))),
        new("xavier-normal", "Glorot normal N(0, gain·√(2/(fan_in+fan_out))) — torch.nn.init.xavier_normal_",
            GainOnly, s => new XavierInitializer(false, s.Number("gain", 1))),
        new("xavier-uniform-half", "xavier-uniform:gain=0.5", [], _ => new XavierInitializer(true, 0.5), IsAlias: true),
        new("xavier-uniform-double", "xavier-uniform:gain=2", [], _ => new XavierInitializer(true, 2), IsAlias: true),
        new("xavier-normal-half", "xavier-normal:gain=0.5", [], _ => new XavierInitializer(false, 0.5), IsAlias: true),
        new("xavier-normal-double", "xavier-normal:gain=2", [], _ => new XavierInitializer(false, 2), IsAlias: true),
        new("kaiming-uniform", "He uniform U(±√3·gain·g(nonlinearity,a)/√fan), mode=fan_in|fan_out — torch.nn.init.kaiming_uniform_",
            KaimingKeys, s => Kaiming(true, s)),
        new("kaiming-normal", "He normal N(0, gain·g(nonlinearity,a)/√fan), mode=fan_in|fan_out — torch.nn.init.kaiming_normal_",
            KaimingKeys, s => Kaiming(false, s)),
        new("lecun-uniform", "LeCun uniform U(±√3·gain/√fan_in)",
            GainOnly, s => new LecunInitializer(true, s.Number("gain", 1))),
        new("lecun-normal", "LeCun normal N(0, gain/√fan_in)",
            GainOnly, s => new LecunInitializer(false, s.Number("gain", 1))),
        new("orthogonal", "(semi-)orthogonal matrix times gain — torch.nn.init.orthogonal_",
            GainOnly, s => new OrthogonalInitializer(s.Number("gain", 1))),
        new("trunc-normal", "normal N(mean, σ) truncated to mean+[a,b]·σ (default ±2σ), σ = gain·(std or √(2/fan_in)) — torch.nn.init.trunc_normal_",
            ["a", "b", "gain", "mean", "std"],
            s => new TruncatedNormalInitializer(s.Number("mean", 0), s.NumberOrNull("std"), s.Number("a", -2), s.Number("b", 2), s.Number("gain", 1))),
        new("uniform", "U(low, high), default U(0,1); gain scales the half-width — torch.nn.init.uniform_",
            ["gain", "high", "low"], s => new UniformInitializer(s.Number("low", 0), s.Number("high", 1), s.Number("gain", 1))),
        new("normal", "N(mean, gain·std), default N(0,1) — torch.nn.init.normal_",
            ["gain", "mean", "std"], s => new NormalInitializer(s.Number("mean", 0), s.Number("std", 1), s.Number("gain", 1))),
        new("constant", "every entry gain·value (default 0) — torch.nn.init.constant_",
            ["gain", "value"], s => new ConstantInitializer(s.Number("value", 0), s.Number("gain", 1))),
        new("signed-constant", "±gain·√(2/fan_in) with random signs (Zhou et al. 2019)",
            GainOnly, s => new SignedConstantInitializer(s.Number("gain", 1))),
        new("torch-default", "PyTorch's Linear/Conv default U(±gain/√fan_in) — kaiming_uniform_(a=√5)",
            GainOnly, s => new TorchDefaultInitializer(s.Number("gain", 1))),
    ];

    private static Dictionary<string, Entry> ByName = Entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
    private static readonly object Gate = new();

    /// <summary>All registered names, aliases included, in display order.</summary>
    public static IReadOnlyList<string> Names => Entries.Select(e => e.Name).ToArray();

    /// <summary>A one-line description of each registered name (for an alias: the spec it stands for).</summary>
    public static IReadOnlyDictionary<string, string> Descriptions =>
        Entries.ToDictionary(e => e.Name, e => e.Description, StringComparer.Ordinal);

    /// <summary>
    /// Adds a scheme (docs/architecture.md, "Add an init scheme"): its name, a one-line description, the
    /// parameter keys its spec accepts (always include <c>gain</c>), and a factory from the parsed spec.
    /// The scheme's <see cref="IInitializer.Spec"/> must be its canonical spec. Replaces a scheme of the same name.
    /// </summary>
    public static void Register(string name, string description, IReadOnlyList<string> keys, Func<InitSpec, IInitializer> create)
    {
        var n = name.Trim().ToLowerInvariant();
        if (n.Length == 0 || n.Contains(':') || n.Contains(',')) throw new ArgumentException($"init scheme name '{name}' must be non-empty, without ':' or ','");
        var entry = new Entry(n, description, keys.ToArray(), create);
        lock (Gate)
        {
            var next = Entries.Where(e => e.Name != n).Append(entry).ToArray();
            ByName = next.ToDictionary(e => e.Name, StringComparer.Ordinal);
            Entries = next;
        }
    }

    /// <summary>Removes a scheme added with <see cref="Register"/> (tests that register a toy scheme clean up after themselves).</summary>
    public static void Unregister(string name)
    {
        lock (Gate)
        {
            var next = Entries.Where(e => e.Name != name).ToArray();
            ByName = next.ToDictionary(e => e.Name, StringComparer.Ordinal);
            Entries = next;
        }
    }

    /// <summary>
    /// The canonical spec of a scheme, used in run hashes and report groups: lower case, parameters sorted,
    /// only non-default ones written — and, where one of the seed study's aliases stands for exactly that
    /// scheme, the alias (so <c>xavier-normal:gain=0.5</c>, <c>Xavier-Normal:gain=0.5</c> and
    /// <c>xavier-normal-half</c> are one run, stored as <c>xavier-normal-half</c>).
    /// </summary>
    public static string Canonical(string spec)
    {
        var full = Parse(spec).Spec;
        return Entries.FirstOrDefault(e => e.IsAlias && e.Create(InitSpec.Parse(e.Name)).Spec == full)?.Name ?? full;
    }

    /// <summary>The parameter keys a registered name accepts (empty for aliases).</summary>
    public static IReadOnlyList<string> Parameters(string name) =>
        ByName.TryGetValue(name, out var e) ? e.Keys : throw UnknownScheme(name);

    /// <summary>
    /// Parses a spec such as <c>xavier-normal</c>, <c>xavier-normal:gain=0.5</c> or <c>xavier-normal-half</c>.
    /// Throws <see cref="InitSpecException"/> for an unknown scheme (with a suggestion and the list),
    /// an unknown key, a non-numeric value or a value out of range.
    /// </summary>
    public static IInitializer Parse(string spec)
    {
        var parsed = InitSpec.Parse(spec);
        if (!ByName.TryGetValue(parsed.Name, out var entry)) throw UnknownScheme(parsed.Name);
        if (entry.Keys.Length == 0 && parsed.Keys.Count > 0)
            throw new InitSpecException(
                $"init '{entry.Name}' takes no parameters, but '{parsed.Keys.First()}' was given (it stands for {entry.Description}; write that instead)");
        parsed.RequireOnly(entry.Keys);
        return entry.Create(parsed);
    }

    private static KaimingInitializer Kaiming(bool uniform, InitSpec s)
    {
        var nl = s.Choice("nonlinearity", Gains.ByName, Nonlinearity.Relu);
        return new KaimingInitializer(uniform, s.Choice("mode", Modes, FanMode.FanIn), nl, s.Number("a", 0), s.Number("gain", 1));
    }

    private static InitSpecException UnknownScheme(string name)
    {
        string? near = Names.Select(n => (n, d: EditDistance(n, name))).Where(x => x.d <= 3).OrderBy(x => x.d).Select(x => x.n).FirstOrDefault();
        string hint = near is null ? "" : $"did you mean '{near}'? ";
        return new InitSpecException($"unknown init scheme '{name}'; {hint}known: {string.Join(", ", Names)}");
    }

    private static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}
