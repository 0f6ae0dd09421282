namespace Lth.Data;

/// <summary>
/// Where to look for dataset files, in order: <see cref="ExplicitDir"/> (<c>--data</c>),
/// <see cref="EnvironmentDir"/> (<c>LTH_DATA</c>) — each either a root holding <c>&lt;name&gt;/</c>
/// or the dataset folder itself —, then <c>&lt;<see cref="CacheRoot"/>&gt;/&lt;name&gt;</c>, then
/// <c>&lt;root&gt;/&lt;name&gt;</c> for each of <see cref="SystemRoots"/>; finally, when
/// <see cref="AllowDownload"/>, a download into the cache. Tests point every field at temp folders.
/// </summary>
public sealed record DataLocation
{
    /// <summary>The folder given with <c>--data</c>, if any.</summary>
    public string? ExplicitDir { get; init; }

    /// <summary>The value of <c>LTH_DATA</c>, if any.</summary>
    public string? EnvironmentDir { get; init; }

    /// <summary>Root of the per-user cache; downloads go to <c>&lt;CacheRoot&gt;/&lt;name&gt;</c>. Default <c>~/.cache/lth</c>.</summary>
    public string CacheRoot { get; init; } = DefaultCacheRoot;

    /// <summary>System-wide roots, each holding <c>&lt;name&gt;/</c> (Debian's <c>dataset-*</c> packages install to <c>/usr/share/datasets</c>).</summary>
    public IReadOnlyList<string> SystemRoots { get; init; } = DefaultSystemRoots;

    /// <summary>Whether a dataset found nowhere may be downloaded into the cache.</summary>
    public bool AllowDownload { get; init; } = true;

    /// <summary>HTTP handler for downloads; null for the real network. Tests inject a fake.</summary>
    public HttpMessageHandler? HttpHandler { get; init; }

    /// <summary>The name of the environment variable read by <see cref="FromEnvironment"/>.</summary>
    public const string EnvironmentVariable = "LTH_DATA";

    public static string DefaultCacheRoot =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "lth");

    public static IReadOnlyList<string> DefaultSystemRoots { get; } = ["/usr/share/datasets"];

    /// <summary>The usual locations: <paramref name="explicitDir"/> (from <c>--data</c>), <c>LTH_DATA</c>, <c>~/.cache/lth</c>, <c>/usr/share/datasets</c>.</summary>
    public static DataLocation FromEnvironment(string? explicitDir = null, bool allowDownload = true) => new()
    {
        ExplicitDir = string.IsNullOrWhiteSpace(explicitDir) ? null : explicitDir,
        EnvironmentDir = Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env ? env : null,
        AllowDownload = allowDownload,
    };
}
