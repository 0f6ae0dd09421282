using Lth.Data;
using TorchSharp;
using static Lth.Tests.Data.DataFiles;


namespace Lth.Tests.Data;

public class IdxReaderTests
{
    static DataException Fails(Action read, string file)
    {
        var e = Assert.Throws<DataException>(read);
        Assert.Contains(file, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ReadsImagesAndLabelsExactly(bool gzip)
    {
        using var tmp = new TempDir();
        var set = MakeIdxSet(train: 7, rows: 5, cols: 3);
        WriteIdxSet(tmp.Path, set, gzip);
        var ext = gzip ? ".gz" : "";
        using var ds = IdxReader.Read(Path.Combine(tmp.Path, "train-images-idx3-ubyte" + ext), Path.Combine(tmp.Path, "train-labels-idx1-ubyte" + ext));
        Assert.Equal([7L, 1, 5, 3], ds.Images.shape);
        Assert.Equal(torch.ScalarType.Byte, ds.Images.dtype);
        Assert.Equal(set.TrainPixels, ds.Images.data<byte>().ToArray());
        Assert.Equal(torch.ScalarType.Int64, ds.Labels.dtype);
        Assert.Equal(set.TrainLabels.Select(b => (long)b), ds.Labels.data<long>().ToArray());
        Assert.Equal(10, ds.NumClasses);
    }

    [Fact]
    public void DetectsGzipByMagicNotByName()
    {
        using var tmp = new TempDir();
        var set = MakeIdxSet();
        var files = IdxFiles(set, gzip: false);
        var gzNamedRaw = Path.Combine(tmp.Path, "images.gz");
        var rawNamedGz = Path.Combine(tmp.Path, "labels.idx");
        File.WriteAllBytes(gzNamedRaw, files["train-images-idx3-ubyte"]);
        File.WriteAllBytes(rawNamedGz, Gzip(files["train-labels-idx1-ubyte"]));
        using var ds = IdxReader.Read(gzNamedRaw, rawNamedGz);
        Assert.Equal(set.TrainPixels, ds.Images.data<byte>().ToArray());
        Assert.Equal(set.TrainLabels.Select(b => (long)b), ds.Labels.data<long>().ToArray());
    }

    public static TheoryData<string, string> Corruptions => new()
    {
        { "bad-image-magic", "bad magic" },
        { "labels-as-images", "bad magic" },
        { "truncated-images", "truncated" },
        { "truncated-header", "truncated" },
        { "truncated-gzip", "" },
        { "trailing-bytes", "unexpected bytes" },
        { "zero-dimension", "bad dimension" },
        { "garbage-gzip", "gzip" },
        { "empty", "truncated" },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void CorruptImagesFileIsRejectedNamingIt(string corruption, string expected)
    {
        using var tmp = new TempDir();
        var set = MakeIdxSet();
        var files = IdxFiles(set, gzip: false);
        var good = files["train-images-idx3-ubyte"];
        byte[] bad = corruption switch
        {
            "bad-image-magic" => [.. good[..3], 0x04, .. good[4..]],
            "labels-as-images" => files["train-labels-idx1-ubyte"],
            "truncated-images" => good[..^5],
            "truncated-header" => good[..10],
            "truncated-gzip" => Gzip(good)[..^30],
            "trailing-bytes" => [.. good, 1, 2, 3],
            "zero-dimension" => [.. good[..8], 0, 0, 0, 0, .. good[12..]],
            "garbage-gzip" => [0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            "empty" => [],
            _ => throw new ArgumentException(corruption),
        };
        var path = Path.Combine(tmp.Path, corruption + ".bin");
        File.WriteAllBytes(path, bad);
        var e = Fails(() => IdxReader.ReadImages(path), path);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void LabelOutOfRangeIsRejected()
    {
        using var tmp = new TempDir();
        var path = Path.Combine(tmp.Path, "labels");
        File.WriteAllBytes(path, IdxLabels([0, 9, 10, 3]));
        var e = Fails(() => IdxReader.ReadLabels(path), path);
        Assert.Contains("label 10 at index 2", e.Message);
    }

    [Fact]
    public void LabelsFileWithImagesMagicIsRejected()
    {
        using var tmp = new TempDir();
        var path = Path.Combine(tmp.Path, "labels");
        File.WriteAllBytes(path, IdxImages([1, 2, 3, 4], 1, 2, 2));
        Assert.Contains("bad magic", Fails(() => IdxReader.ReadLabels(path), path).Message);
    }

    [Fact]
    public void CountMismatchNamesBothFiles()
    {
        using var tmp = new TempDir();
        var images = Path.Combine(tmp.Path, "img");
        var labels = Path.Combine(tmp.Path, "lab");
        File.WriteAllBytes(images, IdxImages(new byte[3 * 4], 3, 2, 2));
        File.WriteAllBytes(labels, IdxLabels([1, 2]));
        var e = Fails(() => IdxReader.Read(images, labels), images);
        Assert.Contains(labels, e.Message);
        Assert.Contains("3 images", e.Message);
    }

    [Fact]
    public void MissingFileIsADataException()
    {
        var path = Path.Combine(Path.GetTempPath(), "lth-no-such-dir", "train-images-idx3-ubyte.gz");
        Assert.Contains("not found", Fails(() => IdxReader.ReadImages(path), path).Message);
    }
}
