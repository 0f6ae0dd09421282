using Lth.Data;
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

    /// <summary>Reports an internal failure: one line that says it is a bug and where the stack trace went; exit 1.</summary>
    public static int Bug(Exception e)
    {
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

/// <summary>Writes an internal failure's full text (type, message, stack trace, command line) to <c>~/.cache/lth/logs/</c>, or the temp folder.</summary>
public static class CrashLog
{
    public static string? Write(Exception e, string? context = null)
    {
        var name = $"crash-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}.log";
        var text = $"lth {string.Join(' ', Environment.GetCommandLineArgs().Skip(1))}\n{(context is null ? "" : context + "\n")}{DateTime.UtcNow:O}\n{e}\n";
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        foreach (var dir in new[] { Path.Combine(home, ".cache", "lth", "logs"), Path.GetTempPath() })
        {
            try
            {
                Directory.CreateDirectory(dir);
                var path = Path.Combine(dir, name);
                File.AppendAllText(path, text);
                return path;
            }
            catch (Exception x) when (x is IOException or UnauthorizedAccessException) { }
        }
        return null;
    }
}
