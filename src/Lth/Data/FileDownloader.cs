using System.Security.Cryptography;

namespace Lth.Data;

/// <summary>
/// Downloads a published file into a folder, verifying its size and SHA-256 before it appears
/// there: bytes are streamed to a temporary file in the destination folder, hashed on the way,
/// and renamed into place only when they match. Mirrors are tried in order. The HTTP layer is
/// injectable (<see cref="HttpMessageHandler"/>) so tests can serve bytes without a network.
/// </summary>
public sealed class FileDownloader : IDisposable
{
    readonly HttpClient _http;

    /// <param name="handler">HTTP handler to use (not disposed here); null for a real network handler.</param>
    /// <param name="timeout">Limit for one file from one mirror; default 30 minutes.</param>
    public FileDownloader(HttpMessageHandler? handler = null, TimeSpan? timeout = null)
    {
        _http = handler is null
            ? new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(20) }, disposeHandler: true)
            : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = timeout ?? TimeSpan.FromMinutes(30);
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("lth/1.0");
    }

    /// <summary>
    /// Fetches <paramref name="file"/> into <paramref name="destinationDir"/> from the first mirror that
    /// serves the right bytes; returns its path.
    /// </summary>
    /// <exception cref="DataException">No mirror served bytes of the expected size and SHA-256; lists each attempt.</exception>
    public string Download(RemoteFile file, IReadOnlyList<Uri> mirrors, string destinationDir, CancellationToken ct = default) =>
        Task.Run(() => DownloadAsync(file, mirrors, destinationDir, ct), ct).GetAwaiter().GetResult();

    /// <inheritdoc cref="Download"/>
    public async Task<string> DownloadAsync(RemoteFile file, IReadOnlyList<Uri> mirrors, string destinationDir, CancellationToken ct = default)
    {
        Directory.CreateDirectory(destinationDir);
        var destination = Path.Combine(destinationDir, file.Name);
        var failures = new List<string>();
        foreach (var mirror in mirrors)
        {
            var uri = new Uri(mirror, file.Name);
            var temp = Path.Combine(destinationDir, $".{file.Name}.{Guid.NewGuid():N}.part");
            try
            {
                var problem = await FetchAsync(uri, temp, file, ct).ConfigureAwait(false);
                if (problem is null)
                {
                    File.Move(temp, destination, overwrite: true);
                    return destination;
                }
                failures.Add($"{uri}: {problem}");
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                failures.Add($"{uri}: {DataException.OneLine(e.Message)}");
            }
            finally
            {
                try { File.Delete(temp); } catch (IOException) { }
            }
        }
        throw new DataException($"could not download {file.Name}: {(failures.Count == 0 ? "no mirrors" : string.Join("; ", failures))}");
    }

    /// <summary>Streams one URI to <paramref name="temp"/>; returns null when size and hash match, else what was wrong.</summary>
    async Task<string?> FetchAsync(Uri uri, string temp, RemoteFile file, CancellationToken ct)
    {
        using var response = await _http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            return $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long size = 0;
        await using (var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false))
        await using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        {
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await output.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                size += read;
                if (size > file.Size) return $"more than the expected {file.Size} bytes";
            }
        }
        if (size != file.Size) return $"got {size} bytes, expected {file.Size}";
        var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        return string.Equals(actual, file.Sha256, StringComparison.OrdinalIgnoreCase)
            ? null
            : $"SHA-256 mismatch: got {actual}, expected {file.Sha256}";
    }

    public void Dispose() => _http.Dispose();
}
