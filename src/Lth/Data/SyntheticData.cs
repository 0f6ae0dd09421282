using TorchSharp;
using static TorchSharp.torch;

namespace Lth.Data;

/// <summary>
/// The <c>synthetic</c> dataset, for tests and smoke runs: 10 classes of 1×8×8 float images, each a
/// fixed random class prototype (standard normal pixels) plus Gaussian noise of standard deviation
/// <see cref="NoiseStd"/>. The Bayes-optimal (nearest-prototype) accuracy is about 80%, so a small
/// MLP learns it well above chance within a few hundred steps but does not reach 100%.
/// <para>
/// Like the real datasets it has a fixed training file (<see cref="TrainCount"/> images) and a
/// fixed test file (<see cref="TestCount"/> images); validation hold-out and subsets then apply
/// exactly as for the real ones (the default <c>--validation 5000</c> leaves 5000 training images).
/// Everything is drawn from private <see cref="Generator"/>s with fixed seeds (no global RNG), so
/// the data is bit-identical on every call.
/// </para>
/// </summary>
public static class SyntheticData
{
    public const int TrainCount = 10_000;
    public const int TestCount = 2_000;
    public const int NumClasses = 10;
    public const int Channels = 1;
    public const int Size = 8;
    public const double NoiseStd = 3.0;

    /// <summary>Fixed seed of the prototypes; the training and test files use the next two seeds.</summary>
    public const ulong Seed = 0x5EED_1077;

    /// <summary>Generates the training and test files.</summary>
    public static RawSplits Generate()
    {
        using var scope = torch.NewDisposeScope();
        using var protoRng = new Generator(Seed);
        var prototypes = torch.randn([NumClasses, Channels, Size, Size], generator: protoRng);
        var train = Draw(prototypes, TrainCount, Seed + 1);
        var test = Draw(prototypes, TestCount, Seed + 2);
        return new RawSplits("synthetic", Keep(train), Keep(test));
    }

    static (Tensor Images, Tensor Labels) Draw(Tensor prototypes, int count, ulong seed)
    {
        using var rng = new Generator(seed);
        var labels = torch.randint(0, NumClasses, [count], ScalarType.Int64, generator: rng);
        var noise = torch.randn([count, Channels, Size, Size], generator: rng);
        var images = prototypes.index_select(0, labels) + noise * NoiseStd;
        return (images, labels);
    }

    static RawDataset Keep((Tensor Images, Tensor Labels) split) =>
        new(split.Images.MoveToOuterDisposeScope(), split.Labels.MoveToOuterDisposeScope(), NumClasses);
}
