using System.Diagnostics;

namespace Lth.Cli;

/// <summary>
/// The worker processes of a local sweep, one per slot, all taking units from the same plan (each skips what is
/// complete or locked). A worker that crashes (any exit but 0, usage 2, data 3 or an interruption 130/143: a bug, a
/// signal, the out-of-memory killer) is replaced at once in its slot while units are left, so the sweep keeps its
/// width; its unit's lock died with it, so the replacement (or another worker) resumes that unit at the level that was
/// in progress. Replacements are budgeted (<see cref="MaxRestartsPerSlot"/>, <see cref="MaxRestartsPerWorker"/> × workers
/// in all): past that, or on a failure that would repeat (exit 2 or 3) or an interruption, the sweep stops at once with
/// that exit code.
/// </summary>
public sealed class WorkerPool(int workers, Func<int, Process> start, Func<bool> unitsLeft, Func<int, string?> where, TextWriter errors) : IDisposable
{
    /// <summary>At most this many replacements in one slot.</summary>
    public const int MaxRestartsPerSlot = 3;

    /// <summary>At most this many replacements per worker slot on average (2 × --jobs in all).</summary>
    public const int MaxRestartsPerWorker = 2;

    private readonly Process?[] slots = new Process?[workers];
    private readonly int[] restarts = new int[workers];
    private int total;

    /// <summary>Set when the sweep must stop: the exit code and the one line that says why (printed by the caller).</summary>
    public (int Code, string Message)? Stopped { get; private set; }

    /// <summary>Replacements started so far.</summary>
    public int Restarts => total;

    /// <summary>What to do when a worker exits.</summary>
    public enum ExitAction { None, Replace, Stop }

    /// <summary>
    /// The policy: exit 0 leaves the slot empty (nothing left that this worker could take); usage (2), data (3) and
    /// interruptions (130, 143) stop the sweep; any other exit is a crash, replaced while units are left and the budget
    /// allows, else (budget spent) the sweep stops. A crash with nothing left needs no replacement.
    /// </summary>
    public static ExitAction Decide(int exitCode, bool unitsLeft, int slotRestarts, int totalRestarts, int workers) => exitCode switch
    {
        ExitCodes.Ok => ExitAction.None,
        ExitCodes.Usage or ExitCodes.Data or ExitCodes.Interrupted or ExitCodes.Terminated => ExitAction.Stop,
        _ when !unitsLeft => ExitAction.None,
        _ when slotRestarts >= MaxRestartsPerSlot || totalRestarts >= MaxRestartsPerWorker * workers => ExitAction.Stop,
        _ => ExitAction.Replace,
    };

    /// <summary>Starts a worker in every slot.</summary>
    public void StartAll()
    {
        for (int w = 0; w < slots.Length; w++) slots[w] = start(w);
    }

    /// <summary>Whether a worker is running (and the sweep has not stopped).</summary>
    public bool Running => Stopped is null && slots.Any(p => p is not null);

    /// <summary>
    /// Handles every worker that has exited since the last call: replaces a crashed one (one line on
    /// <paramref name="errors"/>), or stops the sweep (ending the other workers). Returns <see cref="Running"/>.
    /// </summary>
    public bool Poll()
    {
        for (int w = 0; w < slots.Length && Stopped is null; w++)
        {
            var p = slots[w];
            if (p is null || !p.HasExited) continue;
            p.WaitForExit();   // its last output lines are handled before the slot changes hands
            int code = p.ExitCode;
            p.Dispose();
            slots[w] = null;
            if (code == ExitCodes.Ok) continue;
            var at = where(w) is { } place ? " in " + place : "";
            switch (Decide(code, unitsLeft(), restarts[w], total, slots.Length))
            {
                case ExitAction.Replace:
                    restarts[w]++;
                    total++;
                    errors.WriteLine($"lth: worker {w} failed (exit {code}){at}; restarted");
                    slots[w] = start(w);
                    break;
                case ExitAction.None:
                    errors.WriteLine($"lth: worker {w} failed (exit {code}){at}; nothing left to run");
                    break;
                case ExitAction.Stop:
                    Stopped = code switch
                    {
                        ExitCodes.Usage or ExitCodes.Data => (code, $"worker {w} stopped for the reason above (exit {code}){at}; fix it and run the same command to resume"),
                        ExitCodes.Interrupted or ExitCodes.Terminated => (code, $"worker {w} was interrupted (exit {code}){at}; run the same command to resume"),
                        _ => (ExitCodes.Failure, $"worker {w} failed (exit {code}){at}; not restarted: {total} restart(s) already, the most a sweep makes ({MaxRestartsPerSlot} per worker, {MaxRestartsPerWorker * slots.Length} in all); see the messages above, then run the same command to resume"),
                    };
                    StopAll();
                    break;
            }
        }
        return Running;
    }

    /// <summary>Ends every running worker (its level in progress is lost and redone on the next call).</summary>
    public void StopAll()
    {
        for (int w = 0; w < slots.Length; w++)
        {
            var p = slots[w];
            if (p is null) continue;
            if (!p.HasExited) try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            p.WaitForExit();
            p.Dispose();
            slots[w] = null;
        }
    }

    public void Dispose() => StopAll();
}
