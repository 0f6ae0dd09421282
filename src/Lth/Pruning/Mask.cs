using Lth.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Lth.Pruning;

/// <summary>
/// Which weights are alive: a flat float buffer of 0/1 with the model's <see cref="ParameterLayout"/>
/// (padding is 0). Parameters that are not pruned (biases by default) are all ones.
/// Per-member views are named as the model's parameters (<c>fc1.weight</c>).
/// </summary>
public sealed class Mask : IDisposable
{
    public Mask(ParameterLayout layout, Tensor flat)
    {
        if (flat.shape.Length != 1 || flat.shape[0] != layout.TotalSize)
            throw new ArgumentException("mask buffer does not match the model layout");
        Layout = layout;
        Flat = flat;
    }

    public ParameterLayout Layout { get; }
    public Tensor Flat { get; }

    /// <summary>The dense mask: every parameter alive, padding zero.</summary>
    public static Mask Dense(ParameterLayout layout, Device? device = null)
    {
        var flat = zeros(layout.TotalSize, dtype: ScalarType.Float32, device: device ?? CPU);
        foreach (var p in layout.Parameters)
            flat.narrow(0, p.Offset, p.Numel * layout.Members).fill_(1.0f);
        return new Mask(layout, flat);
    }

    /// <summary>
    /// Zeroes the pruned positions of <paramref name="flat"/> (a buffer laid out like this mask) in place.
    /// Pruned positions become +0 whatever their sign (multiplying by the mask would leave −0 for negative
    /// values), so that every way of masking — here, the fused optimizer pass, or skipping pruned
    /// positions altogether — leaves the same bits.
    /// </summary>
    /// <param name="flat">The buffer to mask.</param>
    /// <param name="pruned">This mask's <see cref="PrunedPositions"/>, when the caller masks every step and keeps them; else computed here.</param>
    public void Apply(Tensor flat, Tensor? pruned = null)
    {
        using var _ = no_grad();
        using var own = pruned is null ? PrunedPositions() : null;
        flat.masked_fill_(pruned ?? own!, 0);
    }

    /// <summary>True where the mask prunes (a bool tensor like <see cref="Flat"/>), for <see cref="Apply"/>.</summary>
    public Tensor PrunedPositions() => Flat.eq(0);

    /// <summary>Member <paramref name="member"/>'s mask of parameter <paramref name="info"/>, shape = the parameter's.</summary>
    public Tensor View(ParameterInfo info, int member) =>
        Flat.narrow(0, info.Offset + member * info.Numel, info.Numel).view(info.Shape);

    /// <summary>Alive count of one parameter of one member.</summary>
    public long Alive(ParameterInfo info, int member)
    {
        using var _ = NewDisposeScope();
        return (long)View(info, member).sum().item<float>();
    }

    /// <summary>Fraction of a parameter's entries alive, for one member.</summary>
    public double Density(ParameterInfo info, int member) => Alive(info, member) / (double)info.Numel;

    /// <summary>Fraction of all weights (not biases) alive, for one member — the paper's "% weights remaining".</summary>
    public double WeightDensity(int member)
    {
        long alive = 0, total = 0;
        foreach (var p in Layout.Parameters.Where(p => p.IsWeight)) { alive += Alive(p, member); total += p.Numel; }
        return total == 0 ? 1 : alive / (double)total;
    }

    /// <summary>Density per weight tensor, by name, for one member.</summary>
    public Dictionary<string, double> LayerDensities(int member) =>
        Layout.Parameters.Where(p => p.IsWeight).ToDictionary(p => p.Name, p => Density(p, member));

    /// <summary>Named per-member tensors (copies), e.g. for saving one member as a solo run.</summary>
    public Dictionary<string, Tensor> ToNamed(int member) =>
        Layout.Parameters.ToDictionary(p => p.Name, p => View(p, member).clone());

    /// <summary>Writes named per-member tensors into this mask's member slot.</summary>
    public void LoadNamed(IReadOnlyDictionary<string, Tensor> named, int member)
    {
        using var _ = no_grad();
        foreach (var p in Layout.Parameters)
        {
            if (!named.TryGetValue(p.Name, out var t))
                throw new InvalidDataException($"mask has no tensor '{p.Name}'");
            View(p, member).copy_(t.reshape(p.Shape));
        }
    }

    public void Dispose() => Flat.Dispose();
}
