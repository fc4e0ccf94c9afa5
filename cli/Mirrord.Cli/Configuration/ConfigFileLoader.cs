using Mirrord.Incoming.Configuration;

namespace Mirrord.Cli.Configuration;

/// <summary>Reads a mirrord.json and reports its problems prefixed with the file name, as compilers do.</summary>
internal static class ConfigFileLoader
{
    /// <summary>Returns the config, or null after writing every error to <paramref name="error"/>.</summary>
    public static IncomingConfig? Load(FileInfo file, TextWriter error)
    {
        string text;
        try
        {
            text = File.ReadAllText(file.FullName);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: --config-file {file.FullName}: cannot read the file: {ex.Message}");
            return null;
        }

        var result = IncomingConfigParser.ParseMirrordJson(text);
        foreach (var warning in result.Warnings)
        {
            error.WriteLine($"{file.Name}: warning: {warning}");
        }

        foreach (var problem in result.Errors)
        {
            error.WriteLine($"{file.Name}: error: {problem}");
        }

        return result.Config;
    }
}
