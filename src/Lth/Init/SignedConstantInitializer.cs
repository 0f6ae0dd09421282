using TorchSharp;
using static TorchSharp.torch;

namespace Lth.Init;

/// <summary>
/// Signed constant (Zhou et al. 2019, "Deconstructing Lottery Tickets"): every entry is +σ or −σ with
/// probability ½ each, σ = gain·√2/√fan_in, the std of <c>torch.nn.init.kaiming_normal_(w)</c> (relu, fan_in).
/// PyTorch has no such function. Signs come from <c>uniform_(0, 1, generator)</c> ≥ ½ (exactly probability ½
/// on float's 2⁻²⁴ grid), so no entry is ever zero.
/// </summary>
public sealed class SignedConstantInitializer : IInitializer
{
    /// <summary>Creates ±gain·√(2/fan_in).</summary>
    public SignedConstantInitializer(double gain = 1.0) => Gain = InitChecks.Gain("signed-constant", gain);

    /// <summary>Multiplier on σ.</summary>
    public double Gain { get; }

    /// <inheritdoc/>
    public string Spec
    {
        get
        {
            var parts = new List<(string, string)>();
            InitChecks.Gain(parts, Gain);
            return InitSpec.Format("signed-constant", parts);
        }
    }

    /// <summary>σ = gain·√(2/fan_in).</summary>
    public double Magnitude(Fans fans) => Gain * Math.Sqrt(2.0 / fans.FanIn);

    /// <inheritdoc/>
    public Distribution Describe(Fans fans)
    {
        double s = Magnitude(fans);
        return new Distribution("signed-constant", 0, s, -s, s);
    }

    /// <inheritdoc/>
    public void Apply(Tensor tensor, Fans fans, Generator rng)
    {
        double s = Magnitude(fans);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        tensor.uniform_(0, 1, generator: rng);
        tensor.ge_(0.5);          // 1 or 0, in the tensor's dtype
        tensor.mul_(2 * s);
        tensor.sub_(s);
    }

    /// <inheritdoc/>
    public override string ToString() => Spec;
}
