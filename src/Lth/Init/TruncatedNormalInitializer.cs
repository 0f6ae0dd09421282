using TorchSharp;
using static TorchSharp.torch;

namespace Lth.Init;

/// <summary>
/// A proper truncated normal, drawn as PyTorch's <c>torch.nn.init.trunc_normal_</c> (<c>_no_grad_trunc_normal_</c>)
/// draws it: u ~ U(2Φ(α)−1, 2Φ(β)−1) from the generator, x = mean + σ·√2·erfinv(u), clamped to
/// [mean + α·σ, mean + β·σ]. Parameters: <c>mean=</c> (0), <c>std=</c> σ of the normal before truncation
/// (default √(2/fan_in), He's relu std, so the default is fan-aware), <c>a=</c>, <c>b=</c> the truncation points
/// in units of σ (default −2, 2), <c>gain=</c> multiplies σ (the bounds move with it; the mean does not).
/// Unlike PyTorch, a and b are relative to σ, not absolute. The drawn values have the smaller std of the
/// truncated distribution, which <see cref="Describe"/> reports (≈ 0.880·σ for ±2σ).
/// (TorchSharp 0.107's own <c>trunc_normal_</c> swaps mean and std and ignores the generator.)
/// </summary>
public sealed class TruncatedNormalInitializer : IInitializer
{
    /// <summary>Creates the scheme.</summary>
    /// <param name="mean">Mean of the normal before truncation.</param>
    /// <param name="std">σ of the normal before truncation; null for √(2/fan_in).</param>
    /// <param name="a">Lower truncation point in units of σ.</param>
    /// <param name="b">Upper truncation point in units of σ.</param>
    /// <param name="gain">Multiplier on σ.</param>
    public TruncatedNormalInitializer(double mean = 0, double? std = null, double a = -2, double b = 2, double gain = 1.0)
    {
        Mean = InitChecks.Finite(Name, "mean", mean);
        if (std is double s) InitChecks.Positive(Name, "std", s);
        Std = std;
        A = InitChecks.Finite(Name, "a", a);
        B = InitChecks.Finite(Name, "b", b);
        if (!(a < b))
            throw new InitSpecException($"init '{Name}': a must be less than b, got a={InitSpec.Format(a)}, b={InitSpec.Format(b)}");
        if (NormalMath.Cdf(b) - NormalMath.Cdf(a) < 1e-6)
            throw new InitSpecException($"init '{Name}': a={InitSpec.Format(a)}, b={InitSpec.Format(b)} leave almost no probability mass (under 1e-6)");
        Gain = InitChecks.Gain(Name, gain);
    }

    /// <summary>The spec name, <c>trunc-normal</c>.</summary>
    public string Name => "trunc-normal";

    /// <summary>Mean of the normal before truncation.</summary>
    public double Mean { get; }

    /// <summary>σ before truncation and gain; null means √(2/fan_in).</summary>
    public double? Std { get; }

    /// <summary>Lower truncation point, in units of σ.</summary>
    public double A { get; }

    /// <summary>Upper truncation point, in units of σ.</summary>
    public double B { get; }

    /// <summary>Multiplier on σ.</summary>
    public double Gain { get; }

    /// <inheritdoc/>
    public string Spec
    {
        get
        {
            var parts = new List<(string, string)>();
            InitChecks.Gain(parts, Gain);
            if (Mean != 0) parts.Add(("mean", InitSpec.Format(Mean)));
            if (Std is double s) parts.Add(("std", InitSpec.Format(s)));
            if (A != -2) parts.Add(("a", InitSpec.Format(A)));
            if (B != 2) parts.Add(("b", InitSpec.Format(B)));
            return InitSpec.Format(Name, parts);
        }
    }

    /// <summary>σ of the normal before truncation: gain·(std or √(2/fan_in)).</summary>
    public double ParentStd(Fans fans) => Gain * (Std ?? Math.Sqrt(2.0 / fans.FanIn));

    /// <inheritdoc/>
    public Distribution Describe(Fans fans)
    {
        double sigma = ParentStd(fans);
        var (mean, std) = NormalMath.TruncatedMoments(Mean, sigma, A, B);
        return new Distribution("truncated-normal", mean, std, Mean + A * sigma, Mean + B * sigma)
        {
            ParentMean = Mean,
            ParentStd = sigma,
        };
    }

    /// <inheritdoc/>
    public void Apply(Tensor tensor, Fans fans, Generator rng)
    {
        double sigma = ParentStd(fans);
        double lo = 2 * NormalMath.Cdf(A) - 1, hi = 2 * NormalMath.Cdf(B) - 1;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        tensor.uniform_(lo, hi, generator: rng);
        tensor.erfinv_();
        tensor.mul_(sigma * Math.Sqrt(2.0));
        tensor.add_(Mean);
        tensor.clamp_(Mean + A * sigma, Mean + B * sigma);
    }

    /// <inheritdoc/>
    public override string ToString() => Spec;
}
