namespace Mirrord.Cli.Configuration;

/// <summary>The format of a config file, chosen by its extension as mirrord chooses it.</summary>
internal enum ConfigFormat
{
    Json,
    Yaml,
    Toml,
}
