using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Lth.Cli;

/// <summary>
/// A sweep worker: a child <c>lth</c> process running the same plan. On Linux it asks the kernel to
/// kill it when its parent dies (PR_SET_PDEATHSIG), so <c>kill -9</c> of the parent leaves no orphans;
/// its level in progress is lost and redone on the next call.
/// </summary>
public static partial class WorkerProcess
{
    /// <summary>Starts <c>lth</c> (this same program) with <paramref name="args"/>; stdout lines go to <paramref name="onLine"/>.</summary>
    public static Process Start(IEnumerable<string> args, Action<string> onLine)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = false, UseShellExecute = false };
        var entry = Environment.GetCommandLineArgs()[0];
        if (entry.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) psi.ArgumentList.Add(entry); // started as `dotnet lth.dll`
        foreach (var a in args) psi.ArgumentList.Add(a);
        var p = new Process { StartInfo = psi, EnableRaisingEvents = true };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) onLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        return p;
    }

    /// <summary>In a worker: die with the parent.</summary>
    public static void DieWithParent()
    {
        if (!OperatingSystem.IsLinux()) return;
        try { Prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }

    private const int PR_SET_PDEATHSIG = 1;
    private const int SIGKILL = 9;

    [LibraryImport("libc.so.6", EntryPoint = "prctl")]
    private static partial int Prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);
}
