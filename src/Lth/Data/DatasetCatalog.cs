
namespace Lth.Data;

/// <summary>
/// Entry point of the data layer: loads a dataset by name into normalized train/validation/test
/// splits (<see cref="Load"/>), reads it as stored (<see cref="LoadRaw"/>), and lists what is
/// available where (<see cref="List"/>).
/// </summary>
public static class DatasetCatalog
{
    /// <summary>Dataset names, in display order.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. DatasetSources.All.Keys];

    /// <summary>
    /// Finds (or downloads) and reads <see cref="DatasetHparams.Name"/>, then splits and normalizes it
    /// as <see cref="DatasetSplitter.Split"/> describes.
    /// </summary>
    /// <exception cref="DataException">Files missing, unreadable or malformed.</exception>
    /// <exception cref="ArgumentException">Unknown dataset, or the hparams ask for more images than exist.</exception>
    public static DatasetSplits Load(DatasetHparams hp, DataLocation where, CancellationToken ct = default)
    {
        using var raw = LoadRaw(hp.Name, where, ct);
        return DatasetSplitter.Split(raw, hp);
    }

    /// <summary>Finds (or downloads) and reads the training and test files of <paramref name="name"/>.</summary>
    public static RawSplits LoadRaw(string name, DataLocation where, CancellationToken ct = default) =>
        Read(new DataLocator(where).Locate(name, ct));

    /// <summary>Reads a located dataset; <see cref="RawSplits.Files"/> holds the SHA-256 of every file read.</summary>
    public static RawSplits Read(LocatedData located) => ReadFiles(located) switch
    {
        var raw when located.Format == DatasetFormat.Generated => raw,
        var raw => raw with { Files = SourceFiles(located).ToDictionary(f => f, Sha256) },
    };

    /// <summary>The files a located dataset is read from.</summary>
    private static IEnumerable<string> SourceFiles(LocatedData located) => located.Format switch
    {
        DatasetFormat.Idx => DatasetSource.IdxFiles.Select(f => DataLocator.LocalIdxFile(located.Path, f + ".gz")!),
        _ when File.Exists(located.Path) => [located.Path],
        _ => CifarReader.FindSource(located.Path) is { } src && File.Exists(src) ? [src]
             : Directory.EnumerateFiles(CifarReader.FindSource(located.Path) ?? located.Path, "*.bin").Order(StringComparer.Ordinal),
    };

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }

    private static RawSplits ReadFiles(LocatedData located)
    {
        switch (located.Format)
        {
            case DatasetFormat.Generated:
                return SyntheticData.Generate();
            case DatasetFormat.Cifar:
                return CifarReader.Load(located.Path) with { Name = located.Name };
            case DatasetFormat.Idx:
                string File(int i) => DataLocator.LocalIdxFile(located.Path, DatasetSource.IdxFiles[i] + ".gz")
                    ?? throw new DataException($"{Path.Combine(located.Path, DatasetSource.IdxFiles[i])}(.gz): file not found");
                var train = IdxReader.Read(File(0), File(1));
                try { return new RawSplits(located.Name, train, IdxReader.Read(File(2), File(3))); }
                catch { train.Dispose(); throw; }
            default:
                throw new ArgumentOutOfRangeException(nameof(located), located.Format, "unknown dataset format");
        }
    }

    /// <summary>For each known dataset, whether and where it is available without downloading. Reads no data.</summary>
    public static IReadOnlyList<DatasetInfo> List(DataLocation where)
    {
        var locator = new DataLocator(where);
        return [.. DatasetSources.All.Values.Select(source =>
        {
            if (source.Format == DatasetFormat.Generated)
                return new DatasetInfo(source.Name, source.Description, true, null, "generated", [], false);
            var found = locator.Find(source.Name, out var searched);
            return new DatasetInfo(source.Name, source.Description, found is not null, found?.Path, found?.Origin, searched,
                where.AllowDownload && source.Mirrors.Count > 0);
        })];
    }
}
