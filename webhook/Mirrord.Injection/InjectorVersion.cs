using System.Reflection;

namespace Mirrord.Injection;

/// <summary>The version recorded in <c>mirrord.dev/status</c> and used as the default image tag.</summary>
public static class InjectorVersion
{
    public static string Current { get; } =
        typeof(InjectorVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
