using System.Globalization;
using System.Reflection;

namespace Lth.Foundations;

/// <summary>One hyperparameter: its section (<c>dataset</c>, <c>model</c>, …), property and attribute.</summary>
public sealed class HparamField
{
    internal HparamField(string section, PropertyInfo? sectionProperty, PropertyInfo property, HparamAttribute attribute)
    {
        Section = section;
        SectionProperty = sectionProperty;
        Property = property;
        Attribute = attribute;
    }

    public string Section { get; }
    internal PropertyInfo? SectionProperty { get; }
    public PropertyInfo Property { get; }
    public HparamAttribute Attribute { get; }
    public string Flag => Attribute.Flag;
    public string Description => Attribute.Description;
    public Type Type => Property.PropertyType;

    public object? Get(LotteryHparams hp) => Property.GetValue(SectionProperty is null ? hp : SectionProperty.GetValue(hp));

    /// <summary>A copy of <paramref name="hp"/> with this field set to <paramref name="value"/> (already typed).</summary>
    public LotteryHparams With(LotteryHparams hp, object? value)
    {
        if (SectionProperty is null)
        {
            var copy = Clone(hp);
            Property.SetValue(copy, value);
            return (LotteryHparams)copy;
        }
        var section = Clone(SectionProperty.GetValue(hp)!);
        Property.SetValue(section, value);
        var top = Clone(hp);
        SectionProperty.SetValue(top, section);
        return (LotteryHparams)top;
    }

    /// <summary>
    /// Parses text into this field's type; the error names the flag. A spec-valued field (one with a
    /// canonicalizer registered through <see cref="Hparams.RegisterSpec"/>) is returned in canonical form,
    /// so that one scheme or model spelled several ways is one run.
    /// </summary>
    public object Parse(string text)
    {
        var t = text.Trim();
        if (Type == typeof(string)) return Hparams.CanonicalSpec(Flag, t);
        if (Type.IsEnum && ChoiceText.Parse(Type, t) is { } choice) return choice;
        if (Type == typeof(int) && int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i)) return i;
        if (Type == typeof(long) && long.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)) return l;
        if (Type == typeof(double) && double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)) return d;
        if (Type == typeof(bool))
        {
            switch (t.ToLowerInvariant())
            {
                case "true" or "1" or "yes" or "on": return true;
                case "false" or "0" or "no" or "off": return false;
            }
        }
        throw new HparamsException(Type.IsEnum
            ? $"--{Flag}: '{text}' is not one of {string.Join(", ", ChoiceText.Names(Type))}"
            : $"--{Flag}: '{text}' is not a valid {TypeName}");
    }

    /// <summary>The canonical text of a value of this field (invariant culture, round-trip doubles).</summary>
    public string Format(object? value) => value switch
    {
        null => "",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        Enum e => ChoiceText.Kebab(e.ToString()),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    public string TypeName =>
        Type.IsEnum ? string.Join("|", ChoiceText.Names(Type)) :
        Type == typeof(string) ? "text" : Type == typeof(bool) ? "true/false" : Type == typeof(double) ? "number" : "integer";

    private static object Clone(object record) =>
        record.GetType().GetMethod("<Clone>$")!.Invoke(record, null)!;
}
