namespace Mirrord.EndToEnd.Tests;

/// <summary>The tests that build pods in network namespaces: one at a time, since each runs several programs on this machine's two cores.</summary>
[CollectionDefinition(Name)]
public sealed class PodsOnThisMachine
{
    public const string Name = "pods on this machine";
}
