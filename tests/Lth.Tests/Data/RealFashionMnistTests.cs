using System.IO.Compression;
using System.Security.Cryptography;
using Lth.Data;
using Lth.Experiments;
using static TorchSharp.torch;

namespace Lth.Tests.Data;

/// <summary>
/// The real Fashion-MNIST from Debian's <c>dataset-fashion-mnist</c> (installed on the dev machines and in CI).
/// These tests FAIL, never skip, when it is absent.
/// </summary>
public class RealFashionMnistTests
{
    const string SystemDir = "/usr/share/datasets/fashion-mnist";

    static DataLocation SystemOnly => new()
    {
        CacheRoot = Path.Combine(Path.GetTempPath(), "lth-no-cache-" + Guid.NewGuid().ToString("N")),
        SystemRoots = ["/usr/share/datasets"],
        AllowDownload = false,
    };

    [Fact]
    public void LoadsWithTheStandardSplit()
    {
        using var s = DatasetCatalog.Load(new DatasetHparams { Name = "fashion-mnist" }, SystemOnly);
        Assert.Equal((55000L, 5000L, 10000L), (s.Train.Count, s.Validation.Count, s.Test.Count));
        foreach (var d in new[] { s.Train, s.Validation, s.Test })
        {
            Assert.Equal([1L, 28, 28], d.ExampleShape);
            Assert.Equal(ScalarType.Float32, d.Images.dtype);
            Assert.Equal((0L, 9L), (d.Labels.min().item<long>(), d.Labels.max().item<long>()));
            Assert.Equal(10, d.NumClasses);
        }
        Assert.InRange(s.Train.Images.mean().item<float>(), -1e-3f, 1e-3f);
        Assert.InRange(s.Train.Images.std(unbiased: false).item<float>(), 0.999f, 1.001f);
        // Every class appears in each split, roughly uniformly (Fashion-MNIST is balanced).
        Assert.All(s.Test.Labels.bincount(null, 10).data<long>().ToArray(), c => Assert.Equal(1000, c));
    }

    [Fact]
    public void DebianFilesDecompressToUpstreamBytes()
    {
        // SHA-256 of the decompressed upstream IDX files (Debian re-gzipped them, so the .gz sums differ).
        var expected = new Dictionary<string, string>
        {
            ["train-labels-idx1-ubyte.gz"] = "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            ["t10k-labels-idx1-ubyte.gz"] = "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
            ["t10k-images-idx3-ubyte.gz"] = "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        };
        foreach (var (file, sha) in expected)
        {
            using var gz = new GZipStream(File.OpenRead(Path.Combine(SystemDir, file)), CompressionMode.Decompress);
            Assert.Equal(sha, Convert.ToHexStringLower(SHA256.HashData(gz)));
        }
    }
}
