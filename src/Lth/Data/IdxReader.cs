using System.Buffers.Binary;
using System.IO.Compression;
using TorchSharp;
using static TorchSharp.torch;

namespace Lth.Data;

/// <summary>
/// Reads IDX files, the format of MNIST, Fashion-MNIST and KMNIST: a big-endian header
/// (magic <c>0x00000803</c> for 3-d unsigned-byte images, <c>0x00000801</c> for 1-d unsigned-byte
/// labels, then one 32-bit size per dimension) followed by the raw bytes. Files may be gzip
/// compressed; compression is detected by the gzip magic <c>1f 8b</c>, not by the file name.
/// Every problem throws <see cref="DataException"/> naming the file.
/// </summary>
public static class IdxReader
{
    /// <summary>Magic number of an unsigned-byte, 3-dimensional (images) IDX file.</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of an unsigned-byte, 1-dimensional (labels) IDX file.</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>Reads an images file into a uint8 tensor [N, 1, rows, cols].</summary>
    public static Tensor ReadImages(string path)
    {
        var (dims, pixels) = ReadIdx(path, ImagesMagic, "images");
        return torch.tensor(pixels, [dims[0], 1, dims[1], dims[2]]);
    }

    /// <summary>Reads a labels file into an int64 tensor [N]; every label must be below <paramref name="numClasses"/>.</summary>
    public static Tensor ReadLabels(string path, int numClasses = 10)
    {
        var (dims, bytes) = ReadIdx(path, LabelsMagic, "labels");
        var labels = new long[dims[0]];
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] >= numClasses)
                throw new DataException($"{path}: label {bytes[i]} at index {i} is out of range 0..{numClasses - 1}");
            labels[i] = bytes[i];
        }
        return torch.tensor(labels);
    }

    /// <summary>Reads a matching pair of images and labels files; their counts must agree.</summary>
    public static RawDataset Read(string imagesPath, string labelsPath, int numClasses = 10)
    {
        var images = ReadImages(imagesPath);
        Tensor labels;
        try { labels = ReadLabels(labelsPath, numClasses); }
        catch { images.Dispose(); throw; }
        if (images.shape[0] != labels.shape[0])
        {
            var (n, m) = (images.shape[0], labels.shape[0]);
            images.Dispose(); labels.Dispose();
            throw new DataException($"{imagesPath} has {n} images but {labelsPath} has {m} labels");
        }
        return new RawDataset(images, labels, numClasses);
    }

    /// <summary>Opens a file for reading, transparently decompressing it when it starts with the gzip magic.</summary>
    internal static Stream OpenMaybeGzip(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        Span<byte> magic = stackalloc byte[2];
        var n = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        file.Position = 0;
        return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    /// <summary>Reads header and payload with one bulk read, checking magic, sizes and length.</summary>
    static (int[] Dims, byte[] Payload) ReadIdx(string path, int expectedMagic, string kind)
    {
        var ndims = expectedMagic & 0xff;
        try
        {
            using var s = OpenMaybeGzip(path);
            var header = new byte[4 + 4 * ndims];
            var got = s.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            if (got < 4)
                throw new DataException($"{path}: truncated: {got} bytes is too short for an IDX header");
            var magic = BinaryPrimitives.ReadInt32BigEndian(header);
            if (magic != expectedMagic)
                throw new DataException($"{path}: bad magic number 0x{magic:x8}, expected 0x{expectedMagic:x8} for an IDX {kind} file");
            if (got < header.Length)
                throw new DataException($"{path}: truncated: header needs {header.Length} bytes but the file has {got}");

            var dims = new int[ndims];
            long size = 1;
            for (var d = 0; d < ndims; d++)
            {
                var v = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4 + 4 * d));
                if (v == 0 || v > int.MaxValue)
                    throw new DataException($"{path}: bad dimension {d} of size {v} in the IDX header");
                dims[d] = (int)v;
                size *= v;
            }
            if (size > Array.MaxLength)
                throw new DataException($"{path}: header promises {size} bytes, more than can be read");

            var payload = new byte[size];
            got = s.ReadAtLeast(payload, payload.Length, throwOnEndOfStream: false);
            if (got < payload.Length)
                throw new DataException($"{path}: truncated: header promises {dims[0]} {kind} ({size} bytes) but only {got} bytes follow");
            if (s.ReadByte() != -1)
                throw new DataException($"{path}: unexpected bytes after the {dims[0]} {kind} the header promises");
            return (dims, payload);
        }
        catch (DataException) { throw; }
        catch (FileNotFoundException) { throw new DataException($"{path}: file not found"); }
        catch (DirectoryNotFoundException) { throw new DataException($"{path}: file not found"); }
        catch (InvalidDataException e) { throw new DataException($"{path}: corrupt gzip data ({e.Message})", e); }
        catch (IOException e) { throw new DataException($"{path}: {e.Message}", e); }
        catch (UnauthorizedAccessException e) { throw new DataException($"{path}: {e.Message}", e); }
    }
}
