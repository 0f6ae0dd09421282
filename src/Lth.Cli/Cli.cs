using Lth.Data;
using Lth.Experiments;
using Lth.Init;

namespace Lth.Cli;

/// <summary>Maps exceptions to one-line messages and exit codes; no stack traces for user mistakes.</summary>
public static class Cli
{
    public static int Guard(Func<int> action)
    {
        try { return action(); }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("lth: interrupted; run the same command again to resume");
            return ExitCodes.Interrupted;
        }
        catch (Exception e) when (e is HparamsException or FormatException or ArgumentException)
        {
            return Fail(e.Message, ExitCodes.Usage);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return Fail(e.Message, ExitCodes.Data);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"lth: unexpected error: {e.GetType().Name}: {FirstLine(e.Message)}");
            if (Environment.GetEnvironmentVariable("LTH_DEBUG") is { Length: > 0 }) Console.Error.WriteLine(e);
            else Console.Error.WriteLine("lth: set LTH_DEBUG=1 for the stack trace");
            return ExitCodes.Failure;
        }
    }

    public static int Fail(string message, int code)
    {
        Console.Error.WriteLine("lth: " + FirstLine(message));
        return code;
    }

    private static string FirstLine(string s) => s.Split('\n')[0].TrimEnd();
}
