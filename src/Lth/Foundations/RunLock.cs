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
    public static RunLock? TryAcquire(string dir)
    {
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, ".lock");
        try
        {
            var fs = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            fs.SetLength(0);
            using (var w = new StreamWriter(fs, leaveOpen: true)) w.Write($"{Environment.ProcessId}@{Environment.MachineName}\n");
            fs.Flush();
            return new RunLock(fs);
        }
        catch (IOException)
        {
            return null;
        }
    }

    public void Dispose() => stream.Dispose();
}

/// <summary>Another process is working on this run right now.</summary>
public sealed class RunBusyException(string dir) : IOException($"{dir}: another lth process is running this run (lock held)");
