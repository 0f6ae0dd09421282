namespace Lth.Foundations;

/// <summary>
/// Writes a file so that readers see either the old content or the complete new content: the data
/// goes to a temporary file in the same folder, is flushed to disk, and is renamed over the target.
/// A run killed mid-write leaves at most a stray <c>*.tmp-*</c> file, never a truncated result.
/// Every write returns the SHA-256 of the bytes it put on disk (read back from the temporary file before
/// the rename), which the run store records so that a file is checked before it is used again (<see cref="StoredFiles"/>).
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>; returns the file's SHA-256 (lowercase hex).</summary>
    public static string Write(string path, Action<Stream> write)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(dir);
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            var digest = FileDigest.Of(tmp);
            File.Move(tmp, path, overwrite: true);
            return digest;
        }
        catch (Exception e)
        {
            try { File.Delete(tmp); } catch (Exception x) when (x is IOException or UnauthorizedAccessException) { }
            if (e is IOException or UnauthorizedAccessException) throw StoreErrors.Writing(path, e);   // said by cause, naming the file
            throw;
        }
    }

    /// <summary>Writes UTF-8 text (no byte-order mark); returns the file's SHA-256.</summary>
    public static string WriteText(string path, string text) =>
        Write(path, s => { using var w = new StreamWriter(s, leaveOpen: true); w.Write(text); });
}
