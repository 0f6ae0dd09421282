using System.Formats.Tar;
using System.IO.Compression;
using TorchSharp;
using static TorchSharp.torch;

namespace Lth.Data;

/// <summary>
/// Reads the CIFAR-10 binary version: <c>data_batch_1.bin</c> … <c>data_batch_5.bin</c> (training,
/// in that order) and <c>test_batch.bin</c>, each a sequence of 3073-byte records (one label byte,
/// then 3072 pixel bytes, channel-major: 1024 red, 1024 green, 1024 blue, rows top to bottom).
/// The files are read from a folder, its <c>cifar-10-batches-bin/</c> subfolder, or straight from
/// <c>cifar-10-binary.tar.gz</c> without extracting it. Every problem throws <see cref="DataException"/>
/// naming the file.
/// </summary>
public static class CifarReader
{
    public const int NumClasses = 10;
    public const int Channels = 3;
    public const int Size = 32;
    public const int ImageBytes = Channels * Size * Size;
    public const int RecordBytes = 1 + ImageBytes;

    /// <summary>The official archive's file name.</summary>
    public const string ArchiveName = "cifar-10-binary.tar.gz";

    /// <summary>The folder the archive unpacks to.</summary>
    public const string FolderName = "cifar-10-batches-bin";

    /// <summary>Training batch files, in the order their records are concatenated.</summary>
    public static IReadOnlyList<string> TrainFiles { get; } = [.. Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin")];

    public const string TestFile = "test_batch.bin";

    /// <summary>
    /// Where in <paramref name="dir"/> CIFAR-10 can be read from: the folder itself or its
    /// <c>cifar-10-batches-bin/</c> subfolder when it holds all six batch files, else the archive
    /// when present; null when none is there.
    /// </summary>
    public static string? FindSource(string dir)
    {
        foreach (var folder in new[] { dir, Path.Combine(dir, FolderName) })
            if (TrainFiles.Append(TestFile).All(f => File.Exists(Path.Combine(folder, f))))
                return folder;
        var archive = Path.Combine(dir, ArchiveName);
        return File.Exists(archive) ? archive : null;
    }

    /// <summary>Reads training and test splits from a folder (see <see cref="FindSource"/>) or an archive path.</summary>
    public static RawSplits Load(string location)
    {
        if (File.Exists(location)) return LoadArchive(location);
        var source = FindSource(location)
            ?? throw new DataException($"{location}: no CIFAR-10 batch files ({string.Join(", ", TrainFiles.Append(TestFile))}) and no {ArchiveName}");
        if (File.Exists(source)) return LoadArchive(source);
        var train = TrainFiles.Select(f => ReadFileBytes(Path.Combine(source, f))).ToList();
        var test = ReadFileBytes(Path.Combine(source, TestFile));
        return Assemble("cifar10", train, test);
    }

    /// <summary>Reads one batch file into uint8 images [N, 3, 32, 32] and int64 labels [N].</summary>
    public static RawDataset ReadBatch(string path) => Parse([ReadFileBytes(path)]);

    /// <summary>Reads the six batch files from the gzipped tar archive, in memory.</summary>
    static RawSplits LoadArchive(string archive)
    {
        var wanted = TrainFiles.Append(TestFile).ToHashSet();
        var found = new Dictionary<string, (string Name, byte[] Bytes)>();
        try
        {
            using var file = new FileStream(archive, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            using var gz = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gz);
            while (tar.GetNextEntry() is { } entry)
            {
                var name = Path.GetFileName(entry.Name);
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || !wanted.Contains(name)
                    || entry.DataStream is null)
                    continue;
                var bytes = new byte[entry.Length];
                var got = entry.DataStream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
                var where = $"{archive}:{entry.Name}";
                if (got < bytes.Length)
                    throw new DataException($"{where}: truncated: the archive lists {bytes.Length} bytes but only {got} follow");
                found[name] = (where, bytes);
            }
        }
        catch (DataException) { throw; }
        catch (FileNotFoundException) { throw new DataException($"{archive}: file not found"); }
        catch (Exception e) when (e is IOException or InvalidDataException or FormatException or UnauthorizedAccessException)
        {
            throw new DataException($"{archive}: corrupt or truncated archive ({e.Message})", e);
        }
        var missing = wanted.Where(w => !found.ContainsKey(w)).Order().ToList();
        if (missing.Count > 0)
            throw new DataException($"{archive}: archive lacks {string.Join(", ", missing)}");
        return Assemble("cifar10", [.. TrainFiles.Select(f => found[f])], found[TestFile]);
    }

    static (string Name, byte[] Bytes) ReadFileBytes(string path)
    {
        try { return (path, File.ReadAllBytes(path)); }
        catch (FileNotFoundException) { throw new DataException($"{path}: file not found"); }
        catch (DirectoryNotFoundException) { throw new DataException($"{path}: file not found"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new DataException($"{path}: {e.Message}", e); }
    }

    static RawSplits Assemble(string name, IReadOnlyList<(string Name, byte[] Bytes)> train, (string Name, byte[] Bytes) test)
    {
        var trainSet = Parse(train);
        try { return new RawSplits(name, trainSet, Parse([test])); }
        catch { trainSet.Dispose(); throw; }
    }

    /// <summary>Validates and concatenates batch files into one split.</summary>
    static RawDataset Parse(IReadOnlyList<(string Name, byte[] Bytes)> files)
    {
        long total = 0;
        foreach (var (name, bytes) in files)
        {
            if (bytes.Length == 0)
                throw new DataException($"{name}: empty file");
            if (bytes.Length % RecordBytes != 0)
                throw new DataException($"{name}: truncated: {bytes.Length} bytes is not a whole number of {RecordBytes}-byte records");
            for (var i = 0; i < bytes.Length; i += RecordBytes)
                if (bytes[i] >= NumClasses)
                    throw new DataException($"{name}: label {bytes[i]} in record {i / RecordBytes} is out of range 0..{NumClasses - 1}");
            total += bytes.Length;
        }
        var all = files.Count == 1 ? files[0].Bytes : new byte[total];
        if (files.Count > 1)
        {
            var at = 0;
            foreach (var (_, bytes) in files) { bytes.CopyTo(all, at); at += bytes.Length; }
        }
        var n = total / RecordBytes;
        using var scope = torch.NewDisposeScope();
        var records = torch.tensor(all, [n, RecordBytes]);
        var labels = records.select(1, 0).to_type(ScalarType.Int64);
        var images = records.narrow(1, 1, ImageBytes).reshape(n, Channels, Size, Size).contiguous();
        return new RawDataset(images.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope(), NumClasses);
    }
}
