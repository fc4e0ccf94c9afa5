namespace Mirrord.Cli.Configuration.Templates;

/// <summary>A template in a config file that cannot be rendered; <see cref="Line"/> is where it starts.</summary>
internal sealed class ConfigTemplateException(int line, string message) : Exception(message)
{
    public int Line { get; } = line;
}
