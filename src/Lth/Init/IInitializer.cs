using static TorchSharp.torch;

namespace Lth.Init;

/// <summary>
/// A weight initialization scheme. Implementations draw only through the
/// <see cref="Generator"/> they are given (<c>Tensor.normal_/uniform_(…, generator)</c>),
/// never through global RNG state and never through TorchSharp's <c>nn.init</c> functions
/// (which ignore the generator and, for xavier_normal_/trunc_normal_, draw the wrong distribution).
/// </summary>
public interface IInitializer
{
    /// <summary>The canonical spec string, e.g. <c>xavier-normal:gain=0.5</c>; parsing it gives an equal scheme.</summary>
    string Spec { get; }

    /// <summary>Fills <paramref name="weight"/> in place; fans are taken from its shape.</summary>
    void Apply(Tensor weight, Generator rng) => Apply(weight, Fans.Of(weight), rng);

    /// <summary>Fills <paramref name="tensor"/> in place using the given fans (used for biases with <c>bias-init=same</c>).</summary>
    void Apply(Tensor tensor, Fans fans, Generator rng);

    /// <summary>The theoretical distribution this scheme draws from for the given fans.</summary>
    Distribution Describe(Fans fans);

    /// <summary>
    /// The theoretical distribution for a weight of the given shape. Equal to <see cref="Describe(Fans)"/> of the
    /// shape's fans except for schemes that depend on more than the fans (orthogonal needs rows and columns).
    /// </summary>
    Distribution Describe(long[] shape) => Describe(Fans.Of(shape));
}

/// <summary>What an initializer draws from, for display and for statistical tests.</summary>
/// <param name="Kind">normal, uniform, truncated-normal, constant, signed-constant, orthogonal.</param>
/// <param name="Mean">Theoretical mean.</param>
/// <param name="Std">Theoretical standard deviation.</param>
/// <param name="Low">Lower bound, if bounded.</param>
/// <param name="High">Upper bound, if bounded.</param>
public sealed record Distribution(string Kind, double Mean, double Std, double? Low = null, double? High = null)
{
    /// <summary>For truncated-normal: the mean of the normal before truncation (otherwise null).</summary>
    public double? ParentMean { get; init; }

    /// <summary>For truncated-normal: the standard deviation of the normal before truncation (otherwise null).</summary>
    public double? ParentStd { get; init; }
}
