namespace Mirrord.Cli.Manifests;

/// <summary>What happened to one workload of a manifest file.</summary>
/// <param name="Document">The document's position in the input, from 1.</param>
/// <param name="Workload">kind/name, as kubectl prints it.</param>
/// <param name="Result">What the injector decided.</param>
/// <param name="NamespaceKnown">False when neither flags nor a Namespace document in the input said what the workload's namespace carries.</param>
internal sealed record WorkloadReport(int Document, string Workload, Injection.InjectionResult Result, bool NamespaceKnown = true);
