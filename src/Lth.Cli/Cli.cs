using Lth.Data;
using Lth.Experiments;
using Lth.Init;

namespace Lth.Cli;

/// <summary>
/// Maps exceptions to one-line messages and exit codes by cause: the user's input exits 2, data and files exit 3,
/// an interruption 130; anything else is a bug in lth: exit 1, with its stack trace written to a log file
/// whose path is printed. No stack traces on the console.
/// </summary>
public static class Cli
{
    public static int Guard(Func<int> action)
    {
        try { return action(); }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine(InterruptedMessage);
            return SignalExitCode;
        }
        catch (Exception e) when (IsUsage(e))
        {
            return Fail(e.Message, ExitCodes.Usage);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return Fail(e.Message, ExitCodes.Data);
        }
        catch (Exception e)
        {
            return Bug(e);
        }
    }

    /// <summary>What an interrupted command prints (SIGINT, SIGTERM, or a cancelled run).</summary>
    public const string InterruptedMessage = "lth: interrupted — rerun the same command to resume";

    /// <summary>The exit code of an interruption: 130 (SIGINT, the default) or 143 (SIGTERM).</summary>
    public static int SignalExitCode { get; set; } = ExitCodes.Interrupted;

    /// <summary>An error in what the user typed or wrote (flags, presets, study files, specs).</summary>
    public static bool IsUsage(Exception e) => e is HparamsException or InitSpecException or FormatException;

    /// <summary>
    /// Reports an internal failure: one line that says it is a bug, where it hit (for a level of a run: its seed folder and
    /// level) and where the stack trace went; exit 1. A level's failure also leaves its crash log in the run's seed folder.
    /// </summary>
    public static int Bug(Exception e)
    {
        if (e is LevelFailedException lf)
        {
            var cause = lf.InnerException ?? lf;
            var here = CrashLog.Write(e, lf.SeedDirs);
            Console.Error.WriteLine($"lth: internal error (a bug in lth) in {lf.SeedDir} level {lf.Level}: {cause.GetType().Name}: {FirstLine(cause.Message)}; stack trace in {here ?? "(could not write a log file)"}");
            return ExitCodes.Failure;
        }
        var log = CrashLog.Write(e);
        Console.Error.WriteLine($"lth: internal error (a bug in lth): {e.GetType().Name}: {FirstLine(e.Message)}; stack trace in {log ?? "(could not write a log file)"}");
        return ExitCodes.Failure;
    }

    public static int Fail(string message, int code)
    {
        Console.Error.WriteLine("lth: " + FirstLine(message));
        return code;
    }

    private static string FirstLine(string s) => s.Split('\n')[0].TrimEnd();
}

/// <summary>
/// Writes an internal failure's full text (command line, time, type, message, stack trace) to <c>~/.cache/lth/logs/</c>
/// (or the temp folder), and to each of <paramref name="seedDirs"/> (the runs it hit) under the same name
/// (<see cref="RunStore.CrashLogFile"/>).
/// </summary>
public static class CrashLog
{
    /// <summary>Returns the log in the first seed folder when there is one and it could be written, else the one in the logs folder (null: none written).</summary>
    public static string? Write(Exception e, IReadOnlyList<string>? seedDirs = null)
    {
        var now = DateTime.UtcNow;
        var name = RunStore.CrashLogFile(now, Environment.ProcessId);
        var text = $"lth {string.Join(' ', Environment.GetCommandLineArgs().Skip(1))}\n"
            + (seedDirs is { Count: > 0 } ? $"runs: {string.Join(", ", seedDirs)}\n" : "")
            + $"{now:O}\n{e}\n";
        string? inRun = null;
        foreach (var dir in seedDirs ?? [])
        {
            var path = TryAppend(dir, name, text, create: false);
            inRun ??= path;
        }
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string? inLogs = null;
        foreach (var dir in new[] { Path.Combine(home, ".cache", "lth", "logs"), Path.GetTempPath() })
            if ((inLogs = TryAppend(dir, name, text, create: true)) is not null) break;
        return inRun ?? inLogs;
    }

    /// <summary>Appends the text to <paramref name="dir"/>/<paramref name="name"/>; null when that fails. A seed folder that is gone is not made again.</summary>
    private static string? TryAppend(string dir, string name, string text, bool create)
    {
        try
        {
            if (create) Directory.CreateDirectory(dir);
            else if (!Directory.Exists(dir)) return null;
            var path = Path.Combine(dir, name);
            File.AppendAllText(path, text);
            return path;
        }
        catch (Exception x) when (x is IOException or UnauthorizedAccessException) { return null; }
    }
}
