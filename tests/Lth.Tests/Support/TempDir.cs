namespace Lth.Tests.Support;

/// <summary>A fresh temporary directory removed on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "lth-test-" + Guid.NewGuid().ToString("N")[..12]);
    public TempDir() => Directory.CreateDirectory(Path);
    public static implicit operator string(TempDir d) => d.Path;

    /// <summary>A subfolder (created), e.g. <c>Sub("cache", "mnist")</c>.</summary>
    public string Sub(params string[] parts)
    {
        var p = System.IO.Path.Combine([Path, .. parts]);
        Directory.CreateDirectory(p);
        return p;
    }
    public void Dispose() { try { Directory.Delete(Path, true); } catch (IOException) { } }
}
