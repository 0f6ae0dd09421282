namespace Lth.Tests.Support;

/// <summary>Tests that change process-wide libtorch state (the thread count) run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ThreadsCollection
{
    public const string Name = "Lth.Tests.Threads";
}

/// <summary>Tests that register toy entries in the process-wide registries run alone, and remove them when done.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RegistryCollection
{
    public const string Name = "Lth.Tests.Registry";
}
