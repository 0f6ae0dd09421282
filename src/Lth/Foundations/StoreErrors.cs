namespace Lth.Foundations;

/// <summary>
/// I/O failures of the run store said by cause, in one line that names the path: permission denied or read-only,
/// a path component that is a file and not a folder, a full disk. The exceptions are <see cref="IOException"/>s, so
/// the CLI exits 3 with them.
/// </summary>
public static class StoreErrors
{
    /// <summary>An exception saying that <paramref name="path"/> could not be written, and why.</summary>
    public static IOException Writing(string path, Exception e) => new($"{path}: cannot write: {Cause(path, e)}", e);

    /// <summary>The cause of an I/O failure at <paramref name="path"/>, in words.</summary>
    public static string Cause(string path, Exception e)
    {
        if (FileAncestor(path) is { } file) return $"{file} is a file, not a folder";
        var m = e.Message;
        if (m.Contains("Read-only file system", StringComparison.OrdinalIgnoreCase)) return "read-only file system";
        if (e is UnauthorizedAccessException || m.Contains("Operation not permitted", StringComparison.OrdinalIgnoreCase)
            || m.Contains("Permission denied", StringComparison.OrdinalIgnoreCase))
            return "permission denied (the folder is read-only for this user)";
        if (m.Contains("No space left", StringComparison.OrdinalIgnoreCase) || m.Contains("Disk quota", StringComparison.OrdinalIgnoreCase)) return "disk full";
        return m.Split('\n')[0].TrimEnd();
    }

    /// <summary>The first existing component of <paramref name="path"/> (itself or an ancestor) that is a file, when a folder is needed there; else null.</summary>
    public static string? FileAncestor(string path)
    {
        var dir = Path.GetFullPath(path);
        // The path itself may be the file being written; only its folders must be folders.
        for (var d = Path.GetDirectoryName(dir); !string.IsNullOrEmpty(d); d = Path.GetDirectoryName(d))
            if (File.Exists(d)) return d;
        return null;
    }

    /// <summary>
    /// Refuses a runs root that cannot be a folder (it, or a folder above it, is a file) before anything is created.
    /// </summary>
    /// <exception cref="IOException">The root or one of its parents is a file.</exception>
    public static void CheckRoot(string root)
    {
        var full = Path.GetFullPath(root);
        if (File.Exists(full)) throw new IOException($"{full}: the runs folder is a file, not a folder");
        if (FileAncestor(Path.Combine(full, "x")) is { } file) throw new IOException($"{full}: cannot be a runs folder: {file} is a file, not a folder");
    }
}
