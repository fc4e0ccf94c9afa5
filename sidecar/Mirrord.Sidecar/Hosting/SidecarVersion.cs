using System.Reflection;

namespace Mirrord.Sidecar.Hosting;

internal static class SidecarVersion
{
    public static string Current { get; } =
        typeof(SidecarVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
