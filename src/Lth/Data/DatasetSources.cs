
namespace Lth.Data;

/// <summary>
/// The datasets <c>lth</c> knows, with their upstream files and SHA-256 sums.
/// <para>Where the sums come from (all are of the compressed files exactly as the mirrors serve them):</para>
/// <list type="bullet">
/// <item>MNIST, Fashion-MNIST, KMNIST: the <c>_CHECKSUMS</c> tables of torchvision's
/// <c>prototype/datasets/_builtin/mnist.py</c>, the same values as TensorFlow Datasets and several
/// independent download scripts. MD5s for cross-checking: torchvision <c>datasets/mnist.py</c>.</item>
/// <item>CIFAR-10: size 170,052,171 bytes and SHA-256 <c>c4a38c50…a1dd</c> as recorded by independent
/// verifications of the archive whose MD5 <c>c32a1d4ab5d03f1284b67883e8d87530</c> is published on
/// https://www.cs.toronto.edu/~kriz/cifar.html.</item>
/// </list>
/// <para>
/// Debian's <c>dataset-fashion-mnist</c> ships the same images re-gzipped without the file name in the
/// gzip header (24 or 23 bytes shorter, different SHA-256); its decompressed contents equal upstream's
/// (e.g. train images SHA-256 <c>c59f468a…d888</c> decompressed). Files found on disk are read as they
/// are; only downloads are checked against these sums.
/// </para>
/// </summary>
public static class DatasetSources
{
    public static DatasetSource Mnist { get; } = new(
        "mnist", DatasetFormat.Idx, "MNIST handwritten digits, 60k+10k 1x28x28",
        [
            new("train-images-idx3-ubyte.gz", 9_912_422, "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
            new("train-labels-idx1-ubyte.gz", 28_881, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
            new("t10k-images-idx3-ubyte.gz", 1_648_877, "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
            new("t10k-labels-idx1-ubyte.gz", 4_542, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
        ],
        [new("https://ossci-datasets.s3.amazonaws.com/mnist/"), new("http://yann.lecun.com/exdb/mnist/")]);

    public static DatasetSource FashionMnist { get; } = new(
        "fashion-mnist", DatasetFormat.Idx, "Fashion-MNIST (Zalando) clothing, 60k+10k 1x28x28",
        [
            new("train-images-idx3-ubyte.gz", 26_421_880, "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
            new("train-labels-idx1-ubyte.gz", 29_515, "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
            new("t10k-images-idx3-ubyte.gz", 4_422_102, "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
            new("t10k-labels-idx1-ubyte.gz", 5_148, "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"),
        ],
        [
            new("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"),
            new("https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/"),
        ],
        "apt-get install -y dataset-fashion-mnist");

    public static DatasetSource Kmnist { get; } = new(
        "kmnist", DatasetFormat.Idx, "Kuzushiji-MNIST cursive Japanese, 60k+10k 1x28x28",
        [
            new("train-images-idx3-ubyte.gz", 18_165_135, "51467d22d8cc72929e2a028a0428f2086b092bb31cfb79c69cc0a90ce135fde4"),
            new("train-labels-idx1-ubyte.gz", 29_497, "e38f9ebcd0f3ebcdec7fc8eabdcdaef93bb0df8ea12bee65224341c8183d8e17"),
            new("t10k-images-idx3-ubyte.gz", 3_041_136, "edd7a857845ad6bb1d0ba43fe7e794d164fe2dce499a1694695a792adfac43c5"),
            new("t10k-labels-idx1-ubyte.gz", 5_120, "20bb9a0ef54c7db3efc55a92eef5582c109615df22683c380526788f98e42a1c"),
        ],
        [new("https://codh.rois.ac.jp/kmnist/dataset/kmnist/"), new("http://codh.rois.ac.jp/kmnist/dataset/kmnist/")]);

    public static DatasetSource Cifar10 { get; } = new(
        "cifar10", DatasetFormat.Cifar, "CIFAR-10 binary version, 50k+10k 3x32x32",
        [new(CifarReader.ArchiveName, 170_052_171, "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd")],
        [new("https://www.cs.toronto.edu/~kriz/")]);

    public static DatasetSource Synthetic { get; } = new(
        "synthetic", DatasetFormat.Generated, "generated: 10 noisy class prototypes, 10k+2k 1x8x8", [], []);

    /// <summary>All datasets by name, in display order.</summary>
    public static IReadOnlyDictionary<string, DatasetSource> All { get; } =
        new[] { Mnist, FashionMnist, Kmnist, Cifar10, Synthetic }.ToDictionary(s => s.Name);

    /// <summary>The dataset called <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No such dataset; the message lists the known names.</exception>
    public static DatasetSource Get(string name, IReadOnlyDictionary<string, DatasetSource>? sources = null)
    {
        sources ??= All;
        return sources.TryGetValue(name.Trim().ToLowerInvariant(), out var s)
            ? s
            : throw new HparamsException($"unknown dataset '{name}'; known: {string.Join(", ", sources.Keys)}");
    }
}
