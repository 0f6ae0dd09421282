using System.Security.Cryptography;

namespace Lth.Foundations;

/// <summary>SHA-256 digests as the run store records them: 64 lowercase hex digits.</summary>
public static class FileDigest
{
    /// <summary>The SHA-256 of a file's bytes.</summary>
    public static string Of(string path)
    {
        using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }

    /// <summary>The SHA-256 of <paramref name="bytes"/>.</summary>
    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Whether <paramref name="text"/> is a digest as written here.</summary>
    public static bool IsDigest(string? text) => text is { Length: 64 } && text.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
