using static TorchSharp.torch;

namespace Lth.Init;

/// <summary>
/// LeCun initialization (LeCun et al. 1998): σ = gain/√fan_in. PyTorch has no named function; it equals
/// <c>torch.nn.init.kaiming_normal_(w, nonlinearity='linear')</c> (normal) and
/// <c>kaiming_uniform_(w, nonlinearity='linear')</c> (uniform, U(−√3σ, √3σ)).
/// </summary>
public sealed class LecunInitializer : ScaledInitializer
{
    /// <summary>Creates the uniform or normal variant.</summary>
    public LecunInitializer(bool uniform, double gain = 1.0)
        : base(uniform, gain)
    {
    }

    /// <summary><c>lecun-uniform</c> or <c>lecun-normal</c>.</summary>
    public override string Name => Uniform ? "lecun-uniform" : "lecun-normal";

    /// <summary>σ = gain/√fan_in.</summary>
    public override double Std(Fans fans) => Gain / Math.Sqrt(fans.FanIn);
}
