using System.Text.Json;

namespace Lth.Foundations;

/// <summary>
/// A seed folder's record (<c>seed.json</c>): the SHA-256 of the seed's own files, <c>init.safetensors</c> and each
/// <c>rewind_&lt;k&gt;.safetensors</c>, by file name. It is rewritten atomically right after each of those files is
/// written, so a file in it was complete when recorded; <see cref="StoredFiles.Seed"/> checks a file against it before use.
/// </summary>
public sealed record SeedRecord
{
    /// <summary>File name → SHA-256 (lowercase hex) of the bytes written.</summary>
    public required Dictionary<string, string> Files { get; init; }

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    /// <summary>Reads <c>seed.json</c>; throws <see cref="InvalidDataException"/> naming the file when it is unreadable.</summary>
    public static SeedRecord Load(string path)
    {
        SeedRecord? r;
        try { r = JsonSerializer.Deserialize<SeedRecord>(File.ReadAllText(path), Options); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not a valid seed record ({e.Message.Split('\n')[0].TrimEnd()}); {StoredFiles.RedoLevel(Path.GetDirectoryName(Path.GetFullPath(path))!)}", e); }
        return r ?? throw new InvalidDataException($"{path}: empty seed record; {StoredFiles.RedoLevel(Path.GetDirectoryName(Path.GetFullPath(path))!)}");
    }
}
