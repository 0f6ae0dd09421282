namespace Lth.Tests.Support;

/// <summary>Tests that change process-wide libtorch state (the thread count) run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ThreadsCollection
{
    public const string Name = "Lth.Tests.Threads";
}
