namespace Mirrord.Demo;

/// <summary>
/// How the sidecar program (mirrord-sidecar, also mirrord-init) is started next to this program: the
/// Native AOT executable the image ships, when one was published into <see cref="NativeFolder"/> (the
/// test projects do, so a trimming gap fails a test rather than a pod); otherwise the framework-dependent
/// build, with dotnet.
/// </summary>
public static class SidecarProgram
{
    /// <summary>Where a build puts the published native executable, under this program's folder.</summary>
    public const string NativeFolder = "native-sidecar";

    private static readonly string s_native = Path.Combine(AppContext.BaseDirectory, NativeFolder, "mirrord-sidecar");

    /// <summary>True when the native executable is the one that runs.</summary>
    public static bool IsNative => File.Exists(s_native);

    /// <summary>Why the build did not publish the native executable (this machine cannot link it), or null.</summary>
    public static string? NotPublishedReason
        => File.Exists(Path.Combine(AppContext.BaseDirectory, NativeFolder, "not-published.txt"))
            ? File.ReadAllText(Path.Combine(AppContext.BaseDirectory, NativeFolder, "not-published.txt")).Trim()
            : null;

    /// <summary>The command that runs the program, before its arguments.</summary>
    public static string[] Command => IsNative
        ? [s_native]
        : [NamespacePod.Dotnet, Path.Combine(AppContext.BaseDirectory, "mirrord-sidecar.dll")];
}
