namespace Lth.Models;

/// <summary>One named parameter of a model, as PyTorch would name it (<c>fc1.weight</c>).</summary>
/// <param name="Name">PyTorch-style name.</param>
/// <param name="Shape">Shape for ONE member, e.g. [out, in] for a Linear weight.</param>
/// <param name="Kind">Layer kind of the layer it belongs to.</param>
/// <param name="IsWeight">True for weights (prunable by default), false for biases.</param>
/// <param name="Offset">Offset of the [K, …shape] block in the flat buffer.</param>
/// <param name="WeightName">For a bias, the name of its layer's weight (whose fans it uses); for a weight, its own name.</param>
public sealed record ParameterInfo(string Name, long[] Shape, LayerKind Kind, bool IsWeight, long Offset, string WeightName)
{
    /// <summary>Elements per member.</summary>
    public long Numel { get; } = Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// Where every parameter of a K-member cohort lives in one flat float buffer. Parameter p of all
/// members is the contiguous block [K, …shape] starting at p.Offset; blocks start on multiples of
/// 64 floats (the padding stays zero), so whole-buffer optimizer steps vectorize identically for
/// any K. A plain run is a cohort of one.
/// </summary>
public sealed class ParameterLayout
{
    /// <summary>Block alignment in floats.</summary>
    public const int Alignment = 64;

    public ParameterLayout(int members, IEnumerable<(string Name, long[] Shape, LayerKind Kind, bool IsWeight, string WeightName)> parameters)
    {
        if (members < 1) throw new ArgumentOutOfRangeException(nameof(members));
        Members = members;
        var list = new List<ParameterInfo>();
        long offset = 0;
        foreach (var p in parameters)
        {
            var info = new ParameterInfo(p.Name, p.Shape, p.Kind, p.IsWeight, offset, p.WeightName);
            list.Add(info);
            offset += Align(info.Numel * members);
        }
        Parameters = list;
        TotalSize = Math.Max(offset, Alignment);
    }

    public int Members { get; }
    public IReadOnlyList<ParameterInfo> Parameters { get; }
    /// <summary>Length of the flat buffer in floats, padding included.</summary>
    public long TotalSize { get; }

    /// <summary>Trainable parameters per member (no padding).</summary>
    public long ParameterCount => Parameters.Sum(p => p.Numel);

    public ParameterInfo this[string name] =>
        Parameters.FirstOrDefault(p => p.Name == name) ?? throw new KeyNotFoundException($"no parameter '{name}'");

    private static long Align(long n) => (n + Alignment - 1) / Alignment * Alignment;
}
