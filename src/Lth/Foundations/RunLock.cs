namespace Lth.Foundations;

/// <summary>
/// An exclusive, advisory lock on a run directory, held by an open <c>.lock</c> file
/// (FileShare.None, which .NET implements with flock on Unix). The operating system releases it when
/// the process dies, so a lock left by a killed run is simply taken over.
/// </summary>
public sealed class RunLock : IDisposable
{
    private readonly FileStream stream;

    private RunLock(FileStream stream) => this.stream = stream;

    /// <summary>Takes the lock or returns null if another live process holds it.</summary>
    /// <exception cref="IOException">The lock file cannot be created at all (read-only folder, a file in the way, disk full): said by cause.</exception>
    public static RunLock? TryAcquire(string dir)
    {
        var path = Path.Combine(dir, ".lock");
        try
        {
            Directory.CreateDirectory(dir);
            var fs = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            fs.SetLength(0);
            using (var w = new StreamWriter(fs, leaveOpen: true)) w.Write($"{Environment.ProcessId}@{Environment.MachineName}\n");
            fs.Flush();
            return new RunLock(fs);
        }
        catch (IOException e) when (IsHeldByAnother(e))
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw StoreErrors.Writing(path, e);
        }
    }

    public void Dispose() => stream.Dispose();

    /// <summary>Whether opening the lock file failed because another process holds its lock (a sharing violation), not for another cause.</summary>
    private static bool IsHeldByAnother(IOException e) =>
        e.HResult == unchecked((int)0x80070020) || e.Message.Contains("being used by another process", StringComparison.OrdinalIgnoreCase);
}

/// <summary>Another process is working on this run right now.</summary>
public sealed class RunBusyException(string dir) : IOException($"{dir}: another lth process is running this run (lock held)");
