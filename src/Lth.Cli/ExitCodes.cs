namespace Lth.Cli;

/// <summary>Process exit codes of <c>lth</c>.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>An unexpected failure (a bug): the message says what happened.</summary>
    public const int Failure = 1;
    /// <summary>Bad usage: unknown flag, preset, scheme or dataset, value out of range.</summary>
    public const int Usage = 2;
    /// <summary>Data or file problem: missing or corrupt dataset, unreadable run files, run locked.</summary>
    public const int Data = 3;
    /// <summary>Interrupted (Ctrl-C); rerun the same command to resume.</summary>
    public const int Interrupted = 130;

    /// <summary>Stopped by SIGTERM (e.g. a cluster's time limit); rerun the same command to resume.</summary>
    public const int Terminated = 143;
}
