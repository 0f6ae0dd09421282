using System.Diagnostics.CodeAnalysis;

namespace Lth.Foundations;

/// <summary>
/// Opt-in checks inside lth's pointer kernels (<c>Models/SparseLinear</c>, <c>Training/FusedAdam</c>), for soak runs and
/// bug hunts: with <c>LTH_CHECKED=1</c> in the environment, each kernel call first checks what its raw pointers will
/// reach (its index structure against the layer's shape, every extent against the tensor's length) and throws
/// <see cref="KernelCheckException"/> instead of reading or writing out of bounds. Off (the default), a kernel tests one
/// <c>static readonly</c> flag, which the JIT folds away: no cost.
/// </summary>
public static class KernelChecks
{
    /// <summary>The environment variable that turns the checks on (<c>1</c>).</summary>
    public const string Variable = "LTH_CHECKED";

    /// <summary>Read once, when the first kernel runs.</summary>
    public static readonly bool Enabled = Environment.GetEnvironmentVariable(Variable) is "1" or "true";

    /// <summary>Throws the failed check (callers test first, so that the message is built only on failure).</summary>
    [DoesNotReturn]
    public static void Fail(string kernel, string what) => throw new KernelCheckException($"{kernel}: {what} ({Variable}=1 check)");
}

/// <summary>A kernel was about to read or write outside its tensors: a bug in lth.</summary>
public sealed class KernelCheckException(string message) : Exception(message);
