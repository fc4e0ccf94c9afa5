using Mirrord.Incoming.Configuration;

namespace Mirrord.Cli.Configuration;

/// <summary>Reads <c>feature.network.incoming</c> from a config document and reports its problems prefixed with the file name, as compilers do.</summary>
internal static class ConfigFileLoader
{
    /// <summary>
    /// Returns the config with mirrord's environment variables applied over it (<see cref="EnvironmentOverrides"/>), or
    /// null after writing every error to <paramref name="error"/>.
    /// </summary>
    public static IncomingConfig? Load(ConfigDocument document, TextWriter error, Func<string, string?>? environment = null)
    {
        var result = IncomingConfigParser.ParseMirrordJson(document.Json);
        document.Report(result.Warnings, result.Errors, error);
        return result.Config is { } config ? EnvironmentOverrides.Apply(config, environment ?? Environment.GetEnvironmentVariable, error) : null;
    }

    /// <summary>Reads, renders and parses <paramref name="file"/>; null after writing what is wrong.</summary>
    public static IncomingConfig? Load(FileInfo file, string? keyFlag, TextWriter error)
        => ConfigDocument.Load(file, keyFlag, error) is { } document ? Load(document, error) : null;
}
