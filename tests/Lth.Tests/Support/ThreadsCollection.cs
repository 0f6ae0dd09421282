namespace Lth.Tests.Support;

/// <summary>
/// Tests that change process-wide libtorch state (the thread count). Every test class now runs alone (xunit.runner.json:
/// changing the thread count under an op on another thread crashed the test host); this collection still marks them,
/// and keeps them alone should parallel runs come back.
/// </summary>
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
