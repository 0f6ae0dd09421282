using Lth.Data;
using TorchSharp;
using static Lth.Tests.Data.DataFiles;


namespace Lth.Tests.Data;

public class CifarReaderTests
{
    static void AssertMatches(Dictionary<string, byte[]> files, RawSplits splits)
    {
        var train = CifarNames[..5].SelectMany(n => files[n]).ToArray();
        AssertSplit(train, splits.Train);
        AssertSplit(files["test_batch.bin"], splits.Test);
    }

    static void AssertSplit(byte[] records, RawDataset ds)
    {
        var n = records.Length / 3073;
        Assert.Equal([n, 3L, 32, 32], ds.Images.shape);
        Assert.Equal(torch.ScalarType.Byte, ds.Images.dtype);
        var expectedPixels = Enumerable.Range(0, n).SelectMany(i => records.Skip(i * 3073 + 1).Take(3072)).ToArray();
        Assert.Equal(expectedPixels, ds.Images.data<byte>().ToArray());
        Assert.Equal(Enumerable.Range(0, n).Select(i => (long)records[i * 3073]), ds.Labels.data<long>().ToArray());
    }

    [Fact]
    public void ReadsFolderExactlyInBatchOrder()
    {
        using var tmp = new TempDir();
        var files = CifarFiles();
        WriteCifarFolder(tmp.Path, files);
        using var splits = CifarReader.Load(tmp.Path);
        Assert.Equal(10, splits.Train.Count);
        Assert.Equal(3, splits.Test.Count);
        AssertMatches(files, splits);
        // Channel-major layout: pixel (c, y, x) is byte 1 + 1024c + 32y + x of the record.
        var rec = files["data_batch_2.bin"].AsSpan(3073);
        Assert.Equal(rec[1 + 1024 * 2 + 32 * 5 + 7], splits.Train.Images[3, 2, 5, 7].item<byte>());
    }

    [Fact]
    public void ReadsBatchesSubfolder()
    {
        using var tmp = new TempDir();
        var files = CifarFiles();
        WriteCifarFolder(tmp.Sub("cifar-10-batches-bin"), files);
        Assert.Equal(Path.Combine(tmp.Path, "cifar-10-batches-bin"), CifarReader.FindSource(tmp.Path));
        using var splits = CifarReader.Load(tmp.Path);
        AssertMatches(files, splits);
    }

    [Fact]
    public void ReadsTarGzWithoutExtracting()
    {
        using var tmp = new TempDir();
        var files = CifarFiles();
        var archive = Path.Combine(tmp.Path, "cifar-10-binary.tar.gz");
        File.WriteAllBytes(archive, CifarArchive(files));
        Assert.Equal(archive, CifarReader.FindSource(tmp.Path));
        using (var fromFolder = CifarReader.Load(tmp.Path)) AssertMatches(files, fromFolder);
        using (var fromFile = CifarReader.Load(archive)) AssertMatches(files, fromFile);
        Assert.Single(Directory.EnumerateFileSystemEntries(tmp.Path));
    }

    [Fact]
    public void TruncatedBatchIsRejectedNamingIt()
    {
        using var tmp = new TempDir();
        var files = CifarFiles();
        files["data_batch_3.bin"] = files["data_batch_3.bin"][..^100];
        WriteCifarFolder(tmp.Path, files);
        var e = Assert.Throws<DataException>(() => CifarReader.Load(tmp.Path));
        Assert.Contains(Path.Combine(tmp.Path, "data_batch_3.bin"), e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void LabelOutOfRangeIsRejected()
    {
        using var tmp = new TempDir();
        var files = CifarFiles();
        files["test_batch.bin"][3073] = 10;
        WriteCifarFolder(tmp.Path, files);
        var e = Assert.Throws<DataException>(() => CifarReader.Load(tmp.Path));
        Assert.Contains("test_batch.bin", e.Message);
        Assert.Contains("label 10 in record 1", e.Message);
    }

    [Fact]
    public void ArchiveMissingAMemberIsRejected()
    {
        using var tmp = new TempDir();
        var files = CifarFiles();
        var archive = Path.Combine(tmp.Path, "cifar-10-binary.tar.gz");
        File.WriteAllBytes(archive, CifarArchive(files, CifarNames.Where(n => n != "data_batch_4.bin")));
        var e = Assert.Throws<DataException>(() => CifarReader.Load(archive));
        Assert.Contains(archive, e.Message);
        Assert.Contains("data_batch_4.bin", e.Message);
    }

    [Fact]
    public void TruncatedArchiveIsRejected()
    {
        using var tmp = new TempDir();
        var bytes = CifarArchive(CifarFiles());
        var archive = Path.Combine(tmp.Path, "cifar-10-binary.tar.gz");
        File.WriteAllBytes(archive, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<DataException>(() => CifarReader.Load(archive));
        Assert.Contains(archive, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void TruncatedMemberInArchiveNamesTheMember()
    {
        using var tmp = new TempDir();
        var files = CifarFiles();
        files["data_batch_1.bin"] = files["data_batch_1.bin"][..^1];
        var archive = Path.Combine(tmp.Path, "cifar-10-binary.tar.gz");
        File.WriteAllBytes(archive, CifarArchive(files));
        var e = Assert.Throws<DataException>(() => CifarReader.Load(archive));
        Assert.Contains($"{archive}:cifar-10-batches-bin/data_batch_1.bin", e.Message);
    }
}
