using System.Text.Json;
using Mirrord.Cli.Configuration.Templates;
using Mirrord.Incoming.Configuration;
using Mirrord.Incoming.Jsonc;
using YamlDotNet.Core;

namespace Mirrord.Cli.Configuration;

/// <summary>
/// A config file as mirrord reads it (mirrord-config's <c>LayerFileConfig::from_path</c>): the format chosen by the
/// extension (<c>.json</c> or none, <c>.yaml</c>/<c>.yml</c>, <c>.toml</c>), the session key settled first, then the
/// whole text rendered as a template, then read as JSON by every part of the CLI (incoming, target, env, outgoing).
/// </summary>
internal sealed class ConfigDocument
{
    private ConfigDocument(string name, string json, SessionKey key, ConfigFormat format)
    {
        Name = name;
        Json = json;
        Key = key;
        Format = format;
    }

    /// <summary>The file's name, which starts every message about it.</summary>
    public string Name { get; }

    /// <summary>The rendered config, as JSON whatever the file's format.</summary>
    public string Json { get; }

    public SessionKey Key { get; }

    public ConfigFormat Format { get; }

    /// <summary>The session key and no file: <c>--key</c>, <c>MIRRORD_KEY</c>, else a generated one.</summary>
    public static SessionKey KeyWithoutFile(string? keyFlag, Func<string, string?> environment)
        => SessionKey.Resolve(keyFlag, environment, () => null);

    /// <summary>Reads and renders <paramref name="file"/>; null after writing what is wrong, naming the file and the line.</summary>
    public static ConfigDocument? Load(FileInfo file, string? keyFlag, TextWriter error, Func<string, string?>? environment = null, Func<string?>? gitBranch = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var format = file.Extension.ToLowerInvariant() switch
        {
            ".json" or "" => ConfigFormat.Json,
            ".yaml" or ".yml" => ConfigFormat.Yaml,
            ".toml" => ConfigFormat.Toml,
            var other => (ConfigFormat?)null,
        };
        if (format is null)
        {
            error.WriteLine($"error: --config-file {file.FullName}: mirrord reads .json, .yaml, .yml and .toml config files; got \"{file.Extension}\"");
            return null;
        }

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

        var branch = new Lazy<string?>(gitBranch ?? (() => GitBranch.Current(environment)));
        try
        {
            // The key is read before the rest is rendered, as mirrord does: {{ key }} elsewhere needs it, and the key
            // itself may only use what does not depend on it (git_branch, get_env).
            var key = SessionKey.Resolve(keyFlag, environment, () => RawKey(text, format.Value) is { } rawKey
                ? ConfigTemplate.Render(rawKey, new TemplateVariables(null, branch.Value, environment))
                : null);

            var rendered = ConfigTemplate.Render(text, new TemplateVariables(key.Value, branch.Value, environment));
            var json = format switch
            {
                ConfigFormat.Yaml => YamlConfig.ToJson(rendered),
                ConfigFormat.Toml => TomlConfig.ToJson(rendered),
                _ => rendered,
            };
            return new ConfigDocument(file.Name, json, key, format.Value);
        }
        catch (ConfigTemplateException ex)
        {
            error.WriteLine($"{file.Name}: error: line {ex.Line}: {ex.Message}");
        }
        catch (YamlException ex)
        {
            error.WriteLine($"{file.Name}: error: not valid YAML: {ex.Message} (line {ex.Start.Line}, column {ex.Start.Column})");
        }
        catch (TomlConfigException ex)
        {
            error.WriteLine($"{file.Name}: error: not valid TOML: {ex.Message}");
        }

        return null;
    }

    /// <summary>Writes a parser's findings, each prefixed with the file name, as compilers do.</summary>
    public void Report(IEnumerable<ConfigDiagnostic> warnings, IEnumerable<ConfigDiagnostic> errors, TextWriter error)
    {
        foreach (var warning in warnings)
        {
            error.WriteLine($"{Name}: warning: {Describe(warning)}");
        }

        foreach (var problem in errors)
        {
            error.WriteLine($"{Name}: error: {Describe(problem)}");
        }
    }

    /// <summary>
    /// A diagnostic with the position that holds in the file: JSON's line and column; YAML's line (the JSON it becomes
    /// keeps each value on its line); for TOML only the field's path, which every diagnostic names.
    /// </summary>
    private string Describe(ConfigDiagnostic diagnostic) => Format switch
    {
        ConfigFormat.Json => diagnostic.ToString(),
        ConfigFormat.Yaml when diagnostic.Position.IsKnown => $"{diagnostic.Path}: {diagnostic.Message} (line {diagnostic.Position.Line})",
        _ => $"{diagnostic.Path}: {diagnostic.Message}",
    };

    /// <summary>The root <c>key</c> as written (templates unrendered), or null when absent or the file cannot be read yet.</summary>
    private static string? RawKey(string text, ConfigFormat format)
    {
        try
        {
            return format switch
            {
                ConfigFormat.Yaml => YamlConfig.RootString(text, "key"),
                ConfigFormat.Toml => TomlConfig.RootString(text, "key"),
                _ => JsoncReader.Parse(text) is { Kind: JsonValueKind.Object } root && root.FindProperty("key") is { Value.Kind: JsonValueKind.String } key ? key.Value.Text : null,
            };
        }
        catch (Exception ex) when (ex is JsoncSyntaxException or YamlException or TomlConfigException)
        {
            // The full read after rendering reports what is wrong with the file.
            return null;
        }
    }
}
