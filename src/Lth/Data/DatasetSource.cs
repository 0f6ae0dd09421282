namespace Lth.Data;

/// <summary>How a dataset's files are laid out.</summary>
public enum DatasetFormat
{
    /// <summary>Four IDX files (gzipped or not): train/t10k images and labels.</summary>
    Idx,
    /// <summary>CIFAR-10 binary batches, in a folder or in <c>cifar-10-binary.tar.gz</c>.</summary>
    Cifar,
    /// <summary>Generated in memory; nothing to find.</summary>
    Generated,
}

/// <summary>A file as published upstream: its name, exact size in bytes and SHA-256 (lowercase hex).</summary>
public sealed record RemoteFile(string Name, long Size, string Sha256);

/// <summary>
/// A dataset that can be found on disk or downloaded: its format, the files as published,
/// the mirrors to fetch them from (tried in order) and how to install it by hand.
/// </summary>
public sealed record DatasetSource(
    string Name,
    DatasetFormat Format,
    string Description,
    IReadOnlyList<RemoteFile> Files,
    IReadOnlyList<Uri> Mirrors,
    string? InstallHint = null)
{
    /// <summary>IDX base names (without <c>.gz</c>) in the order train images, train labels, test images, test labels.</summary>
    /// <summary>The shape of one example, [channels, height, width], known without reading the files.</summary>
    public long[] ExampleShape => Format switch
    {
        DatasetFormat.Idx => [1, 28, 28],
        DatasetFormat.Cifar => [3, 32, 32],
        _ => [SyntheticData.Channels, SyntheticData.Size, SyntheticData.Size],
    };

    /// <summary>The number of classes.</summary>
    public int Classes => Format == DatasetFormat.Generated ? SyntheticData.NumClasses : 10;

    public static IReadOnlyList<string> IdxFiles { get; } =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];
}
