using System.Runtime.InteropServices;
using TorchSharp;

namespace Lth.Native;

/// <summary>
/// Process-wide engine set-up: glibc malloc tuning (worth 25–30% per step, see
/// docs/torchsharp.md) and the number of libtorch threads. Call once, before the first tensor.
/// </summary>
public static partial class TorchRuntime
{
    private static int initialized;

    /// <summary>Whether <see cref="Initialize"/> applied the malloc tuning in this process.</summary>
    public static bool MallocTuned { get; private set; }

    /// <summary>
    /// Applies malloc tuning once per process, and sets libtorch's intra-op thread count when
    /// <paramref name="threads"/> is given. Changing the thread count changes the bits of results,
    /// so runs record it.
    /// </summary>
    public static void Initialize(int? threads = null)
    {
        if (Interlocked.Exchange(ref initialized, 1) == 0)
            MallocTuned = TuneMalloc();
        if (threads is int t && t > 0 && torch.get_num_threads() != t)
            torch.set_num_threads(t);
    }

    /// <summary>The libtorch intra-op thread count now in force.</summary>
    public static int Threads => torch.get_num_threads();

    /// <summary>A thread count that leaves no core idle and none oversubscribed: min(cores, 2) by default.</summary>
    public static int DefaultThreads => Math.Max(1, Math.Min(Environment.ProcessorCount, 2));

    /// <summary>
    /// The default for one process training <paramref name="members"/> networks: one thread for a single
    /// fully-connected network, else <see cref="DefaultThreads"/>. Measured with <c>bench/run.sh</c> on a 2-core AMD EPYC
    /// (family 26): a single LeNet-300-100 steps slower on two threads than on one (1.62 s vs 1.53 s per epoch; its
    /// matrices are too small to split), while a cohort of 5 (1.12 vs 1.46 s per member) and Conv-2 (2.16 vs 3.48 s)
    /// gain from the second thread.
    /// </summary>
    public static int DefaultThreadsFor(bool convolutional, int members) => !convolutional && members == 1 ? 1 : DefaultThreads;

    // glibc otherwise returns freed tensor buffers to the OS on every step (page faults dominate).
    private const int M_TRIM_THRESHOLD = -1;
    private const int M_MMAP_THRESHOLD = -3;

    [LibraryImport("libc.so.6", EntryPoint = "mallopt")]
    private static partial int Mallopt(int param, int value);

    private static bool TuneMalloc()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return Mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1 & Mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // not glibc (e.g. musl): run untuned
        }
    }
}
