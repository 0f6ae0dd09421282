using System.Globalization;

namespace Lth.Foundations;

/// <summary>One point of the path between the two copies of a level: α (0 is the level's own run, 1 the second copy), the split (test or train), its mean loss and error.</summary>
public sealed record PathPoint(double Alpha, string Split, double Loss, double Error);

/// <summary>A level's <c>instability.csv</c> (<see cref="RunStore.InstabilityFile"/>): the points of the linear path between its two copies.</summary>
public static class PathPoints
{
    /// <summary>Writes a level's <c>instability.csv</c> (alpha, split, loss, error; invariant culture, round-trip doubles).</summary>
    /// <returns>The SHA-256 of the bytes written.</returns>
    public static string Write(string path, IReadOnlyList<PathPoint> points) =>
        AtomicFile.WriteText(path, "alpha,split,loss,error\n" + string.Concat(points.Select(p =>
            string.Create(CultureInfo.InvariantCulture, $"{p.Alpha:R},{p.Split},{p.Loss:R},{p.Error:R}\n"))));

    /// <summary>Reads a level's <c>instability.csv</c>.</summary>
    /// <exception cref="InvalidDataException">A malformed line (the file is named).</exception>
    public static List<PathPoint> Read(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0] != "alpha,split,loss,error") throw new InvalidDataException($"{path}: not an instability.csv (header)");
        var list = new List<PathPoint>();
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var c = line.Split(',');
            if (c.Length != 4 || !double.TryParse(c[0], CultureInfo.InvariantCulture, out var alpha) || !double.TryParse(c[2], CultureInfo.InvariantCulture, out var loss)
                || !double.TryParse(c[3], CultureInfo.InvariantCulture, out var error))
                throw new InvalidDataException($"{path}: malformed line '{line}'");
            list.Add(new PathPoint(alpha, c[1], loss, error));
        }
        return list;
    }
}
