using System.Globalization;

namespace Lth.Init;

/// <summary>
/// A parsed spec string <c>name</c> or <c>name:key=value,key=value</c> (names and keys lower-case,
/// whitespace around parts ignored), with typed, validated access to the values. Used by
/// <see cref="Initializers.Parse"/> and <see cref="BiasInit.Parse"/>.
/// </summary>
public sealed class InitSpec
{
    private readonly Dictionary<string, string> _values;

    private InitSpec(string name, Dictionary<string, string> values)
    {
        Name = name;
        _values = values;
    }

    /// <summary>The scheme name, lower-cased.</summary>
    public string Name { get; }

    /// <summary>The keys given, in the order written.</summary>
    public IReadOnlyCollection<string> Keys => _values.Keys;

    /// <summary>Splits <paramref name="text"/> into a name and key=value pairs; throws <see cref="InitSpecException"/> on malformed text.</summary>
    public static InitSpec Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new InitSpecException("empty init spec: give a scheme name such as 'xavier-normal' or 'xavier-normal:gain=0.5'");
        int colon = text.IndexOf(':');
        string name = (colon < 0 ? text : text[..colon]).Trim().ToLowerInvariant();
        if (name.Length == 0)
            throw new InitSpecException($"init spec '{text}' has no scheme name before ':'");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (colon >= 0)
        {
            string rest = text[(colon + 1)..];
            if (rest.Trim().Length == 0)
                throw new InitSpecException($"init '{name}': empty parameter list after ':'");
            foreach (string part in rest.Split(','))
            {
                int eq = part.IndexOf('=');
                if (eq < 0)
                    throw new InitSpecException($"init '{name}': parameter '{part.Trim()}' is not of the form key=value");
                string key = part[..eq].Trim().ToLowerInvariant();
                string value = part[(eq + 1)..].Trim();
                if (key.Length == 0)
                    throw new InitSpecException($"init '{name}': parameter '{part.Trim()}' has no key");
                if (value.Length == 0)
                    throw new InitSpecException($"init '{name}': parameter '{key}' has no value");
                if (!values.TryAdd(key, value))
                    throw new InitSpecException($"init '{name}': parameter '{key}' is given twice");
            }
        }
        return new InitSpec(name, values);
    }

    /// <summary>Throws <see cref="InitSpecException"/> naming the first key not in <paramref name="allowed"/>.</summary>
    public void RequireOnly(IReadOnlyCollection<string> allowed)
    {
        foreach (string key in _values.Keys)
        {
            if (allowed.Contains(key)) continue;
            string hint = allowed.Count == 0 ? "it takes no parameters" : $"allowed: {string.Join(", ", allowed)}";
            throw new InitSpecException($"init '{Name}': unknown parameter '{key}' ({hint})");
        }
    }

    /// <summary>Whether <paramref name="key"/> was given.</summary>
    public bool Has(string key) => _values.ContainsKey(key);

    /// <summary>The value of <paramref name="key"/> as a finite number, or <paramref name="fallback"/> when absent.</summary>
    public double Number(string key, double fallback) => NumberOrNull(key) ?? fallback;

    /// <summary>The value of <paramref name="key"/> as a finite number, or null when absent.</summary>
    public double? NumberOrNull(string key)
    {
        if (!_values.TryGetValue(key, out string? text)) return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
            throw new InitSpecException($"init '{Name}': {key}='{text}' is not a finite number");
        return value;
    }

    /// <summary>The value of <paramref name="key"/>, which must be one of the keys of <paramref name="choices"/>.</summary>
    public T Choice<T>(string key, IReadOnlyDictionary<string, T> choices, T fallback)
    {
        if (!_values.TryGetValue(key, out string? text)) return fallback;
        if (choices.TryGetValue(text.ToLowerInvariant(), out T? value)) return value;
        throw new InitSpecException($"init '{Name}': {key}='{text}' is not one of {string.Join(", ", choices.Keys)}");
    }

    /// <summary>
    /// The canonical text of a spec: the name, then the given parameters sorted by key
    /// (callers pass only those that differ from their defaults), numbers in invariant round-trip form.
    /// </summary>
    public static string Format(string name, IEnumerable<(string Key, string Value)> nonDefault)
    {
        var parts = nonDefault.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}").ToList();
        return parts.Count == 0 ? name : $"{name}:{string.Join(",", parts)}";
    }

    /// <summary>A number as written in canonical specs (shortest round-trip, invariant culture).</summary>
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
