namespace Lth.Data;

/// <summary>Where a dataset was found.</summary>
/// <param name="Name">Canonical dataset name.</param>
/// <param name="Format">How its files are laid out.</param>
/// <param name="Path">The folder holding its files (for CIFAR-10 possibly the archive itself); empty when generated.</param>
/// <param name="Origin">Which rule found it: <c>--data</c>, <c>LTH_DATA</c>, <c>cache</c>, <c>system</c> or <c>download</c>.</param>
public sealed record LocatedData(string Name, DatasetFormat Format, string Path, string Origin);

/// <summary>A place that was searched, and what was wrong with it when nothing usable was there.</summary>
public sealed record SearchedPlace(string Path, string Origin, string? Problem);

/// <summary>
/// Finds dataset files. A folder the user named (<c>--data</c>, else <c>LTH_DATA</c>) is the only place searched: if
/// the dataset is missing or incomplete there, that is an error naming what is missing, never a fall back to other
/// data. Otherwise the cache, then the system folders, downloading into the cache as a last resort. <c>--data DIR</c> may be a root holding <c>&lt;name&gt;/</c> or the dataset folder
/// itself; <c>LTH_DATA</c> likewise, except that it counts as the dataset folder itself only when its
/// name is the dataset's (IDX datasets share file names, so a long-lived variable pointing at one
/// dataset's files must not be mistaken for another's). When nothing is found it throws a <see cref="DataException"/> whose one line lists
/// every place searched and how to install the data.
/// </summary>
public sealed class DataLocator(DataLocation where, IReadOnlyDictionary<string, DatasetSource>? sources = null)
{
    readonly IReadOnlyDictionary<string, DatasetSource> _sources = sources ?? DatasetSources.All;

    public DataLocation Where { get; } = where;

    /// <summary>The folders searched for <paramref name="name"/>, in order, with the rule that produced each.</summary>
    public IReadOnlyList<(string Path, string Origin)> Candidates(string name)
    {
        var list = new List<(string, string)>();
        void Root(string? dir, string origin, bool anyFolderName)
        {
            if (string.IsNullOrWhiteSpace(dir)) return;
            list.Add((Path.Combine(dir, name), origin));
            if (anyFolderName || SameName(Path.GetFileName(Path.TrimEndingDirectorySeparator(dir)), name))
                list.Add((dir, origin));
        }
        // A place the user named is the only place searched: data from elsewhere would be a silent substitute.
        if (!string.IsNullOrWhiteSpace(Where.ExplicitDir)) { Root(Where.ExplicitDir, "--data", anyFolderName: true); return list; }
        if (!string.IsNullOrWhiteSpace(Where.EnvironmentDir)) { Root(Where.EnvironmentDir, DataLocation.EnvironmentVariable, anyFolderName: false); return list; }
        list.Add((CacheDir(name), "cache"));
        foreach (var root in Where.SystemRoots) list.Add((Path.Combine(root, name), "system"));
        return list;
    }

    /// <summary>Folder names match ignoring case, '-' and '_' (<c>Fashion_MNIST</c> is <c>fashion-mnist</c>).</summary>
    static bool SameName(string folder, string name)
    {
        static string Key(string s) => new([.. s.ToLowerInvariant().Where(c => c is not ('-' or '_'))]);
        return Key(folder) == Key(name);
    }

    /// <summary>The place the user named (<c>--data</c>, else <c>LTH_DATA</c>), if any: then the only place searched, and nothing is downloaded.</summary>
    public (string Flag, string Dir)? Named =>
        !string.IsNullOrWhiteSpace(Where.ExplicitDir) ? ("--data", Where.ExplicitDir)
        : !string.IsNullOrWhiteSpace(Where.EnvironmentDir) ? (DataLocation.EnvironmentVariable, Where.EnvironmentDir) : null;

    /// <summary>The folder downloads of <paramref name="name"/> go to.</summary>
    public string CacheDir(string name) => Path.Combine(Where.CacheRoot, name);

    /// <summary>Searches without downloading; <paramref name="searched"/> tells what each place lacked.</summary>
    public LocatedData? Find(string name, out IReadOnlyList<SearchedPlace> searched)
    {
        var source = DatasetSources.Get(name, _sources);
        var places = new List<SearchedPlace>();
        searched = places;
        foreach (var (dir, origin) in Candidates(source.Name))
        {
            var problem = Check(source, dir, out var path);
            if (problem is null) return new LocatedData(source.Name, source.Format, path!, origin);
            places.Add(new SearchedPlace(dir, origin, problem));
        }
        return null;
    }

    /// <summary>Finds <paramref name="name"/>, downloading it into the cache when allowed and needed.</summary>
    /// <exception cref="DataException">Not found and not downloadable; the message lists each place searched and how to install.</exception>
    public LocatedData Locate(string name, CancellationToken ct = default)
    {
        var source = DatasetSources.Get(name, _sources);
        if (source.Format == DatasetFormat.Generated)
            return new LocatedData(source.Name, source.Format, "", "generated");
        if (Find(source.Name, out var searched) is { } found) return found;
        if (Named is { } named)
            throw new DataException($"{named.Flag} {named.Dir}: no usable {source.Name} there ("
                + string.Join("; ", searched.Select(p => $"{p.Path}: {p.Problem}")) + $"); a folder you name is the only place searched: "
                + $"put {string.Join(", ", source.Files.Select(f => f.Name))} there, or leave out {named.Flag} to use the usual places");

        string downloadNote;
        if (!Where.AllowDownload) downloadNote = "downloading is disabled";
        else
        {
            try
            {
                Download(source, ct);
                var problem = Check(source, CacheDir(source.Name), out var path);
                if (problem is null) return new LocatedData(source.Name, source.Format, path!, "download");
                downloadNote = $"download left {CacheDir(source.Name)} unusable ({problem})";
            }
            catch (DataException e) { downloadNote = $"download failed: {e.Message}"; }
        }
        throw new DataException(NotFoundMessage(source, searched, downloadNote));
    }

    /// <summary>Downloads the files of <paramref name="source"/> that the cache folder lacks, verifying each.</summary>
    void Download(DatasetSource source, CancellationToken ct)
    {
        using var downloader = new FileDownloader(Where.HttpHandler);
        var dir = CacheDir(source.Name);
        foreach (var file in source.Files)
        {
            if (source.Format == DatasetFormat.Idx && LocalIdxFile(dir, file.Name) is not null) continue;
            if (source.Format == DatasetFormat.Cifar && CifarReader.FindSource(dir) is not null) continue;
            downloader.Download(file, source.Mirrors, dir, ct);
        }
    }

    string NotFoundMessage(DatasetSource source, IReadOnlyList<SearchedPlace> searched, string downloadNote)
    {
        var places = string.Join("; ", searched.Select(p => $"{p.Path} ({p.Origin}: {p.Problem})"));
        var files = string.Join(", ", source.Files.Select(f => f.Name));
        var hint = source.InstallHint is { } h ? $"`{h}`, or " : "";
        return $"{source.Name} not found. Looked in: {places}. {Capitalize(downloadNote)}. "
             + $"To install: {hint}put {files} in {CacheDir(source.Name)}, or pass --data DIR (or set {DataLocation.EnvironmentVariable}) to a folder holding them.";
    }

    static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    /// <summary>Null when <paramref name="dir"/> holds a usable copy (then <paramref name="path"/> says where), else what is missing.</summary>
    internal static string? Check(DatasetSource source, string dir, out string? path)
    {
        path = null;
        if (!Directory.Exists(dir)) return "no such folder";
        switch (source.Format)
        {
            case DatasetFormat.Idx:
                var missing = source.Files.Where(f => LocalIdxFile(dir, f.Name) is null).Select(f => f.Name).ToList();
                if (missing.Count > 0)
                    return missing.Count == source.Files.Count ? "no dataset files" : $"missing {string.Join(", ", missing)}";
                path = dir;
                return null;
            case DatasetFormat.Cifar:
                path = CifarReader.FindSource(dir);
                return path is null ? $"no {CifarReader.FolderName}/*.bin and no {CifarReader.ArchiveName}" : null;
            default:
                path = dir;
                return null;
        }
    }

    /// <summary>The file for a published IDX name (<c>x.gz</c>) in <paramref name="dir"/>: <c>x.gz</c> or uncompressed <c>x</c>; null if neither exists.</summary>
    public static string? LocalIdxFile(string dir, string publishedName)
    {
        var gz = Path.Combine(dir, publishedName);
        if (File.Exists(gz)) return gz;
        var raw = Path.Combine(dir, publishedName.EndsWith(".gz", StringComparison.Ordinal) ? publishedName[..^3] : publishedName);
        return File.Exists(raw) ? raw : null;
    }
}
