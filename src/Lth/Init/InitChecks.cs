namespace Lth.Init;

/// <summary>Range checks shared by the schemes; each failure is an <see cref="InitSpecException"/> naming the parameter.</summary>
internal static class InitChecks
{
    public static double Gain(string scheme, double gain)
    {
        if (!(gain > 0) || !double.IsFinite(gain))
            throw new InitSpecException($"init '{scheme}': gain must be a finite number > 0, got {InitSpec.Format(gain)}");
        return gain;
    }

    public static double Positive(string scheme, string key, double value)
    {
        if (!(value > 0) || !double.IsFinite(value))
            throw new InitSpecException($"init '{scheme}': {key} must be a finite number > 0, got {InitSpec.Format(value)}");
        return value;
    }

    public static double Finite(string scheme, string key, double value)
    {
        if (!double.IsFinite(value))
            throw new InitSpecException($"init '{scheme}': {key} must be a finite number, got {InitSpec.Format(value)}");
        return value;
    }

    public static void Gain(List<(string, string)> parts, double gain)
    {
        if (gain != 1.0) parts.Add(("gain", InitSpec.Format(gain)));
    }
}
