namespace Mirrord.Cli.Manifests;

/// <summary>What happened to one workload of a manifest file.</summary>
internal sealed record WorkloadReport(int Document, string Workload, Injection.InjectionResult Result);
