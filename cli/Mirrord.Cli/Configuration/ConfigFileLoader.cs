using Mirrord.Incoming.Configuration;

namespace Mirrord.Cli.Configuration;

/// <summary>Reads <c>feature.network.incoming</c> from a config document and reports its problems prefixed with the file name, as compilers do.</summary>
internal static class ConfigFileLoader
{
    /// <summary>Returns the config, or null after writing every error to <paramref name="error"/>.</summary>
    public static IncomingConfig? Load(ConfigDocument document, TextWriter error)
    {
        var result = IncomingConfigParser.ParseMirrordJson(document.Json);
        document.Report(result.Warnings, result.Errors, error);
        return result.Config;
    }

    /// <summary>Reads, renders and parses <paramref name="file"/>; null after writing what is wrong.</summary>
    public static IncomingConfig? Load(FileInfo file, string? keyFlag, TextWriter error)
        => ConfigDocument.Load(file, keyFlag, error) is { } document ? Load(document, error) : null;
}
