using System.Security.Cryptography;

namespace Mirrord.Cli.Configuration;

/// <summary>
/// The session key and where it came from, settled as mirrord settles it (mirrord-config's <c>EnvKey</c>):
/// <c>--key</c>, then <c>MIRRORD_KEY</c>, then the config's <c>key</c>, else five random hex digits. It is what
/// <c>{{ key }}</c> renders to and what a share link (<c>?mirrord-session=KEY</c>) carries.
/// </summary>
internal sealed record SessionKey(string Value, string Source)
{
    public const string EnvironmentVariable = "MIRRORD_KEY";

    /// <summary>The key; <paramref name="configKey"/> is asked only when neither the flag nor the variable gives one.</summary>
    public static SessionKey Resolve(string? keyFlag, Func<string, string?> environment, Func<string?> configKey)
    {
        if (!string.IsNullOrEmpty(keyFlag))
        {
            return new SessionKey(keyFlag, "--key");
        }

        if (environment(EnvironmentVariable) is { Length: > 0 } fromEnvironment)
        {
            return new SessionKey(fromEnvironment, EnvironmentVariable);
        }

        return configKey() is { Length: > 0 } fromConfig
            ? new SessionKey(fromConfig, "the config's key")
            : new SessionKey(RandomNumberGenerator.GetInt32(0x100000).ToString("x5", System.Globalization.CultureInfo.InvariantCulture), "generated");
    }

    public override string ToString() => $"{Value} ({Source})";
}
