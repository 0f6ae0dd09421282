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

    /// <summary>This split on <paramref name="device"/> (itself when it is already there).</summary>
    public Dataset To(Device device) =>
        Images.device == device ? this : new Dataset(Images.to(device), Labels.to(device), NumClasses);

    public void Dispose() { Images.Dispose(); Labels.Dispose(); }
}

/// <summary>Train, validation (held out from the end of the training file) and test splits.</summary>
public sealed record DatasetSplits(Dataset Train, Dataset Validation, Dataset Test) : IDisposable
{
    /// <summary>All splits on <paramref name="device"/>: models train where their data is.</summary>
    public DatasetSplits To(Device device) => new(Train.To(device), Validation.To(device), Test.To(device)) { Files = Files };

    /// <summary>The files the splits were read from, full path → SHA-256 (lowercase hex); empty for generated data.</summary>
    public IReadOnlyDictionary<string, string> Files { get; init; } = new Dictionary<string, string>();

    public void Dispose() { Train.Dispose(); Validation.Dispose(); Test.Dispose(); }
}
