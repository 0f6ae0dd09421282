using Lth.Init;

namespace Lth.Experiments;

/// <summary>
/// An unexpected error (a bug, not bad input or bad files) while a level of a run trained, naming where: the seed
/// folder and the level. The message starts with them, then the inner exception's type and message; the inner
/// exception keeps the stack trace. In a cohort, <see cref="SeedDir"/> is the first member's folder and
/// <see cref="SeedDirs"/> lists every member that was training the level.
/// </summary>
public sealed class LevelFailedException : Exception
{
    public LevelFailedException(IReadOnlyList<string> seedDirs, int level, Exception inner)
        : base($"{seedDirs[0]} level {level}: {inner.GetType().Name}: {inner.Message}", inner)
    {
        SeedDirs = seedDirs;
        Level = level;
    }

    /// <summary>The seed folder of the run (the first member of a cohort).</summary>
    public string SeedDir => SeedDirs[0];

    /// <summary>The seed folders of every run that was training the level (one, or a cohort's members).</summary>
    public IReadOnlyList<string> SeedDirs { get; }

    public int Level { get; }

    /// <summary>
    /// Errors that say what is wrong by their type, which callers map to a cause (an interruption, bad input, data or
    /// files, a busy run) and so are not wrapped: <see cref="OperationCanceledException"/>, <see cref="HparamsException"/>,
    /// <see cref="InitSpecException"/>, <see cref="FormatException"/>, <see cref="IOException"/> (a busy run among them),
    /// <see cref="InvalidDataException"/>, <see cref="UnauthorizedAccessException"/>, and a level failure already named.
    /// </summary>
    public static bool IsExpected(Exception e) =>
        e is OperationCanceledException or HparamsException or InitSpecException or FormatException or IOException
            or InvalidDataException or UnauthorizedAccessException or LevelFailedException;
}
