namespace Mirrord.Cli.Tests.Demo;

/// <summary>
/// The tests that run the demo as root: it names its network namespaces <c>mirrord-demo-pod</c> and
/// <c>mirrord-demo-client</c>, as a user sees them, so two demos at once would build and remove the same ones.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DemoNamespaces
{
    public const string Name = "the demo's network namespaces";
}
