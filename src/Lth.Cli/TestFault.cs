using System.Globalization;
using Lth.Experiments;
using Lth.Models;
using Lth.Pruning;

namespace Lth.Cli;

/// <summary>
/// For tests of crash handling only: with <c>LTH_TEST_FAULT=level:N</c> in the environment, every run that starts
/// training level N fails there with an unexpected error (an <see cref="InvalidOperationException"/>), as a bug would.
/// Unset (always, outside tests), it adds nothing.
/// </summary>
public sealed class TestFault(int atLevel) : ILotteryObserver
{
    public const string Variable = "LTH_TEST_FAULT";

    /// <summary>The observer the environment asks for, or null.</summary>
    public static ILotteryObserver? FromEnvironment() =>
        Environment.GetEnvironmentVariable(Variable) is { } spec && spec.StartsWith("level:", StringComparison.Ordinal)
        && int.TryParse(spec["level:".Length..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? new TestFault(n) : null;

    public void OnLevelStart(int level, IModel model, Mask mask)
    {
        if (level == atLevel) throw new InvalidOperationException($"injected fault ({Variable}) at level {level}");
    }
}
