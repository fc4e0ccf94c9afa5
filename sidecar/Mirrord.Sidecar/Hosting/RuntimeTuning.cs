namespace Mirrord.Sidecar.Hosting;

/// <summary>
/// Runtime settings the sidecar picks for itself, so the image, the demo and a custom image all
/// run the same way. Each yields to a value the pod's environment already sets.
/// </summary>
internal static class RuntimeTuning
{
    /// <summary>
    /// YARP copies every body through a 64 KB buffer from the shared array pool. With a few hundred
    /// HTTP/2 streams in flight the pool's default of 32 arrays per core runs dry and each request
    /// allocates a fresh buffer: measured at about a third of the HTTP/2 pass-through throughput on
    /// 2 cores (docs/BENCHMARKS.md). The pool reads this once, when it is first used.
    /// </summary>
    public const string MaxPooledArraysPerCore = "DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXARRAYSPERPARTITION";

    /// <summary>Must run before anything rents from <see cref="System.Buffers.ArrayPool{T}.Shared"/>: first thing in Main.</summary>
    public static void Apply()
    {
        if (Environment.GetEnvironmentVariable(MaxPooledArraysPerCore) is null)
        {
            Environment.SetEnvironmentVariable(MaxPooledArraysPerCore, "128");
        }
    }

    /// <summary>
    /// Building the host allocates several times what the sidecar keeps; until enough requests come to
    /// trigger a collection, that garbage stays resident, and most pods' sidecars see few requests. One
    /// aggressive collection once listening hands it back to the system.
    /// </summary>
    public static void ReleaseStartupGarbage()
        => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
}
