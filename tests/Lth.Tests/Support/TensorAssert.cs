using static TorchSharp.torch;

namespace Lth.Tests.Support;

/// <summary>Assertions on tensors.</summary>
public static class TensorAssert
{
    /// <summary>
    /// Equal up to float reassociation, relative to the tensor's scale: max |a − b| ≤ <paramref name="tol"/> · max |a|.
    /// Two computations of the same function that sum in other orders (GEMMs of other shapes or blocking, lth's own
    /// kernels against libtorch's) agree this way; a wrong element is off by O(scale).
    /// </summary>
    public static void Close(Tensor expected, Tensor actual, double tol, string what)
    {
        double scale = expected.abs().max().item<float>();
        double diff = (expected - actual).abs().max().item<float>();
        Assert.True(diff <= tol * scale, $"{what}: max difference {diff:E2} vs scale {scale:E2}");
    }
}
