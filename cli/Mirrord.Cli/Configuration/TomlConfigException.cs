namespace Mirrord.Cli.Configuration;

/// <summary>A <c>.toml</c> config that is not valid TOML.</summary>
internal sealed class TomlConfigException(string message, Exception inner) : Exception(message, inner);
