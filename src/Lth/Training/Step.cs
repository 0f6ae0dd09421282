using System.Globalization;

namespace Lth.Training;

/// <summary>
/// A training length or position, written as iterations (<c>500it</c>) or epochs (<c>5ep</c>),
/// as open_lth's Step. Epoch counts are turned into iterations once the iterations per epoch are known.
/// </summary>
public readonly record struct Step(long Count, bool InEpochs)
{
    public static Step Parse(string text, string what = "step")
    {
        var s = text.Trim().ToLowerInvariant();
        bool ep = s.EndsWith("ep"), it = s.EndsWith("it");
        if ((ep || it) && long.TryParse(s[..^2], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            return new Step(n, ep);
        throw new FormatException($"{what}: '{text}' is not a step; write e.g. 500it or 5ep");
    }

    /// <summary>This step in iterations, given the iterations per epoch.</summary>
    public long ToIterations(long iterationsPerEpoch) => InEpochs ? Count * iterationsPerEpoch : Count;

    public override string ToString() => Count.ToString(CultureInfo.InvariantCulture) + (InEpochs ? "ep" : "it");
}
