using static TorchSharp.torch;

namespace Lth.Data;

/// <summary>
/// One split as stored on disk, before validation hold-out, subsetting and normalization:
/// <see cref="Images"/> is [N, C, H, W] (uint8 for the real datasets, float32 for synthetic),
/// <see cref="Labels"/> is int64 [N] with values in [0, <see cref="NumClasses"/>).
/// </summary>
public sealed class RawDataset(Tensor images, Tensor labels, int numClasses) : IDisposable
{
    public Tensor Images { get; } = images;
    public Tensor Labels { get; } = labels;
    public int NumClasses { get; } = numClasses;
    public long Count => Labels.shape[0];

    public void Dispose() { Images.Dispose(); Labels.Dispose(); }
}

/// <summary>The training file and the test file of a dataset, as read.</summary>
public sealed record RawSplits(string Name, RawDataset Train, RawDataset Test) : IDisposable
{
    /// <summary>The files read, full path → SHA-256 (lowercase hex); empty for generated data.</summary>
    public IReadOnlyDictionary<string, string> Files { get; init; } = new Dictionary<string, string>();

    public void Dispose() { Train.Dispose(); Test.Dispose(); }
}
