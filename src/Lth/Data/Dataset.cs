using static TorchSharp.torch;

namespace Lth.Data;

/// <summary>
/// One split of a dataset held entirely in memory: <see cref="Images"/> is a float32 tensor
/// [N, C, H, W], already normalized; <see cref="Labels"/> is int64 [N]. Minibatches are index
/// slices of these tensors.
/// </summary>
public sealed class Dataset(Tensor images, Tensor labels, int numClasses) : IDisposable
{
    public Tensor Images { get; } = images;
    public Tensor Labels { get; } = labels;
    public int NumClasses { get; } = numClasses;
    public long Count => Labels.shape[0];
    /// <summary>Shape of one example, [C, H, W].</summary>
    public long[] ExampleShape => Images.shape[1..];

    public void Dispose() { Images.Dispose(); Labels.Dispose(); }
}

/// <summary>Train, validation (held out from the end of the training file) and test splits.</summary>
public sealed record DatasetSplits(Dataset Train, Dataset Validation, Dataset Test) : IDisposable
{
    public void Dispose() { Train.Dispose(); Validation.Dispose(); Test.Dispose(); }
}
