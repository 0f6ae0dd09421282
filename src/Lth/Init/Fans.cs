using static TorchSharp.torch;

namespace Lth.Init;

/// <summary>
/// Fan-in and fan-out of a weight tensor, computed as PyTorch's
/// <c>torch.nn.init._calculate_fan_in_and_fan_out</c> does: for a Linear weight [out, in],
/// fan_in = in and fan_out = out; for a Conv weight [out, in, k1, k2, …] both are multiplied
/// by the receptive field size k1·k2·….
/// </summary>
public readonly record struct Fans(long FanIn, long FanOut)
{
    /// <summary>The fans of a weight tensor of at least two dimensions.</summary>
    public static Fans Of(Tensor weight) => Of(weight.shape);

    /// <summary>The fans of a weight of the given shape (at least two dimensions).</summary>
    public static Fans Of(ReadOnlySpan<long> shape)
    {
        if (shape.Length < 2)
            throw new ArgumentException($"fans need a weight of at least 2 dimensions, got {shape.Length}");
        long receptive = 1;
        for (int i = 2; i < shape.Length; i++) receptive *= shape[i];
        return new Fans(shape[1] * receptive, shape[0] * receptive);
    }
}
