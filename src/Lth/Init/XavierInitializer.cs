using static TorchSharp.torch;

namespace Lth.Init;

/// <summary>
/// Glorot/Xavier initialization (Glorot &amp; Bengio 2010). <c>xavier-uniform</c> maps to PyTorch's
/// <c>torch.nn.init.xavier_uniform_</c>: U(−b, b) with b = gain·√(6/(fan_in+fan_out));
/// <c>xavier-normal</c> maps to <c>torch.nn.init.xavier_normal_</c>: N(0, σ²) with σ = gain·√(2/(fan_in+fan_out)).
/// (TorchSharp 0.107's own <c>xavier_normal_</c> draws a uniform distribution; this one draws a normal.)
/// </summary>
public sealed class XavierInitializer : ScaledInitializer
{
    /// <summary>Creates the uniform (<paramref name="uniform"/> true) or normal variant with the given gain.</summary>
    public XavierInitializer(bool uniform, double gain = 1.0)
        : base(uniform, gain)
    {
    }

    /// <summary><c>xavier-uniform</c> or <c>xavier-normal</c>.</summary>
    public override string Name => Uniform ? "xavier-uniform" : "xavier-normal";

    /// <summary>σ = gain·√(2/(fan_in+fan_out)).</summary>
    public override double Std(Fans fans) => Gain * Math.Sqrt(2.0 / (fans.FanIn + fans.FanOut));
}
