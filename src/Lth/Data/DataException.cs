namespace Lth.Data;

/// <summary>
/// A dataset file is missing, unreadable or malformed, or a download failed verification.
/// The message is always one line and names the file (or the places searched) and the problem.
/// </summary>
public sealed class DataException : IOException
{
    public DataException(string message) : base(OneLine(message)) { }

    public DataException(string message, Exception inner) : base(OneLine(message), inner) { }

    /// <summary>Collapses line breaks so that messages stay on one line.</summary>
    internal static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
