using System.Buffers.Binary;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Lth.Tests.Data;

/// <summary>Writes small dataset files in the real binary formats.</summary>
public static class DataFiles
{
    public static byte[] IdxImages(byte[] pixels, int n, int rows, int cols)
    {
        var bytes = new byte[16 + pixels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 0x803);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), n);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), cols);
        pixels.CopyTo(bytes, 16);
        return bytes;
    }

    public static byte[] IdxLabels(byte[] labels)
    {
        var bytes = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 0x801);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), labels.Length);
        labels.CopyTo(bytes, 8);
        return bytes;
    }

    public static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(data);
        return ms.ToArray();
    }

    public static byte[] RandomBytes(int n, int seed, int max = 256)
    {
        var rng = new Random(seed);
        var b = new byte[n];
        for (var i = 0; i < n; i++) b[i] = (byte)rng.Next(max);
        return b;
    }

    public sealed record IdxSet(byte[] TrainPixels, byte[] TrainLabels, byte[] TestPixels, byte[] TestLabels, int Rows, int Cols);

    /// <summary>A small IDX dataset: pixels of image i start with byte i, labels i % 10.</summary>
    public static IdxSet MakeIdxSet(int train = 12, int test = 5, int rows = 3, int cols = 4, int seed = 1)
    {
        byte[] Pixels(int n, int s)
        {
            var p = RandomBytes(n * rows * cols, s);
            for (var i = 0; i < n; i++) p[i * rows * cols] = (byte)i;
            return p;
        }
        byte[] Labels(int n) => [.. Enumerable.Range(0, n).Select(i => (byte)(i % 10))];
        return new IdxSet(Pixels(train, seed), Labels(train), Pixels(test, seed + 1), Labels(test), rows, cols);
    }

    /// <summary>The four IDX files of <paramref name="set"/>, by published name (gzipped or not).</summary>
    public static Dictionary<string, byte[]> IdxFiles(IdxSet set, bool gzip = true)
    {
        var files = new Dictionary<string, byte[]>
        {
            ["train-images-idx3-ubyte"] = IdxImages(set.TrainPixels, set.TrainLabels.Length, set.Rows, set.Cols),
            ["train-labels-idx1-ubyte"] = IdxLabels(set.TrainLabels),
            ["t10k-images-idx3-ubyte"] = IdxImages(set.TestPixels, set.TestLabels.Length, set.Rows, set.Cols),
            ["t10k-labels-idx1-ubyte"] = IdxLabels(set.TestLabels),
        };
        return gzip ? files.ToDictionary(kv => kv.Key + ".gz", kv => Gzip(kv.Value)) : files;
    }

    public static void WriteIdxSet(string dir, IdxSet set, bool gzip = true)
    {
        Directory.CreateDirectory(dir);
        foreach (var (name, bytes) in IdxFiles(set, gzip)) File.WriteAllBytes(System.IO.Path.Combine(dir, name), bytes);
    }

    /// <summary>CIFAR records: label, then 3072 pixel bytes; image i's first pixel is <paramref name="first"/>+i.</summary>
    public static byte[] CifarBatch(int n, int first, int seed)
    {
        var b = RandomBytes(n * 3073, seed);
        for (var i = 0; i < n; i++)
        {
            b[i * 3073] = (byte)((first + i) % 10);
            b[i * 3073 + 1] = (byte)(first + i);
        }
        return b;
    }

    public static readonly string[] CifarNames = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"];

    /// <summary>Five training batches of 2 records and a test batch of 3.</summary>
    public static Dictionary<string, byte[]> CifarFiles() =>
        CifarNames.Select((name, i) => (name, bytes: i < 5 ? CifarBatch(2, 2 * i, 10 + i) : CifarBatch(3, 100, 99)))
                  .ToDictionary(x => x.name, x => x.bytes);

    public static void WriteCifarFolder(string dir, Dictionary<string, byte[]> files)
    {
        Directory.CreateDirectory(dir);
        foreach (var (name, bytes) in files) File.WriteAllBytes(System.IO.Path.Combine(dir, name), bytes);
    }

    public static byte[] CifarArchive(Dictionary<string, byte[]> files, IEnumerable<string>? only = null)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gz, TarEntryFormat.Ustar, leaveOpen: true))
        {
            tar.WriteEntry(new UstarTarEntry(TarEntryType.Directory, "cifar-10-batches-bin/"));
            tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, "cifar-10-batches-bin/readme.html")
                { DataStream = new MemoryStream("<html/>"u8.ToArray()) });
            foreach (var name in only ?? files.Keys)
                tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, "cifar-10-batches-bin/" + name)
                    { DataStream = new MemoryStream(files[name]) });
        }
        return ms.ToArray();
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
