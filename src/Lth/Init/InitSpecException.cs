namespace Lth.Init;

/// <summary>
/// A bad initialization spec (unknown scheme, unknown or malformed parameter, value out of range).
/// The message is one line and names the part of the spec that is wrong, so the CLI can show it as is.
/// </summary>
public sealed class InitSpecException : ArgumentException
{
    /// <summary>Creates the exception with a one-line message naming the bad part of the spec.</summary>
    public InitSpecException(string message) : base(message) { }
}
