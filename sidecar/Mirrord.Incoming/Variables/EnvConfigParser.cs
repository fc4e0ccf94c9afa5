using System.Text.Json;
using System.Text.RegularExpressions;
using Mirrord.Incoming.Configuration;
using Mirrord.Incoming.Jsonc;

namespace Mirrord.Incoming.Variables;

/// <summary>Reads <c>feature.env</c> from a mirrord.json; every problem names its field, and a config with any yields none.</summary>
public static class EnvConfigParser
{
    private const string EnvPath = "feature.env";

    public static (EnvConfig? Config, IReadOnlyList<ConfigDiagnostic> Errors) ParseMirrordJson(string text)
    {
        JsoncValue root;
        try
        {
            root = JsoncReader.Parse(text);
        }
        catch (JsoncSyntaxException ex)
        {
            return (null, [new ConfigDiagnostic("mirrord.json", ex.Position, $"not valid JSON: {ex.Message}")]);
        }

        var env = root.FindProperty("feature")?.Value is { Kind: JsonValueKind.Object } feature ? feature.FindProperty("env")?.Value : null;
        var errors = new List<ConfigDiagnostic>();
        var config = env?.Kind switch
        {
            null or JsonValueKind.Null or JsonValueKind.True => EnvConfig.Default,
            JsonValueKind.False => EnvConfig.Default with { Enabled = false },
            JsonValueKind.Object => Read(env, errors),
            _ => Fail(errors, env, $"must be true, false or an object; got {env.Describe()}"),
        };
        return errors.Count == 0 ? (config, errors) : (null, errors);
    }

    private static EnvConfig Read(JsoncValue env, List<ConfigDiagnostic> errors)
    {
        var config = EnvConfig.Default;
        foreach (var property in env.Properties)
        {
            var path = $"{EnvPath}.{property.Name}";
            var value = property.Value;
            switch (property.Name)
            {
                case "include":
                    config = config with { Include = Names(value, path, errors) };
                    break;
                case "exclude":
                    config = config with { Exclude = Names(value, path, errors) };
                    break;
                case "unset":
                    config = config with { Unset = Names(value, path, errors) ?? [] };
                    break;
                case "override":
                    config = config with { Override = Map(value, path, errors).ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal) };
                    break;
                case "mapping":
                    config = config with { Mapping = [.. Map(value, path, errors).Select(p => Pattern(p.Name, p.Value, path, value, errors)).OfType<(Regex, string)>()] };
                    break;
                case "env_file":
                    config = config with { EnvFile = value.Kind == JsonValueKind.String ? value.Text : Fail<string>(errors, value, path, $"must be a file path; got {value.Describe()}") };
                    break;
                case "load_from_process":
                    break;
                default:
                    errors.Add(new ConfigDiagnostic(path, property.NamePosition, "unknown field; expected include, exclude, override, unset, mapping, env_file or load_from_process"));
                    break;
            }
        }

        if (config.Include is not null && config.Exclude is not null)
        {
            errors.Add(new ConfigDiagnostic(EnvPath, env.Position, "include and exclude cannot both be given (mirrord refuses the pair too): list what to copy, or what not to"));
        }

        return config;
    }

    /// <summary>A list of names, or one string of names separated by <c>;</c>, as mirrord takes them.</summary>
    private static List<string>? Names(JsoncValue value, string path, List<ConfigDiagnostic> errors)
    {
        if (value.Kind == JsonValueKind.String)
        {
            return [.. value.Text!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        }

        if (value.Kind == JsonValueKind.Array && value.Items.All(i => i.Kind == JsonValueKind.String))
        {
            return [.. value.Items.Select(i => i.Text!)];
        }

        return Fail<List<string>>(errors, value, path, $"must be a list of names or a \"A;B\" string; got {value.Describe()}");
    }

    private static List<(string Name, string Value)> Map(JsoncValue value, string path, List<ConfigDiagnostic> errors)
    {
        if (value.Kind != JsonValueKind.Object)
        {
            return Fail<List<(string, string)>>(errors, value, path, $"must be an object of names to values; got {value.Describe()}") ?? [];
        }

        var pairs = new List<(string, string)>();
        foreach (var property in value.Properties)
        {
            if (property.Value.Kind == JsonValueKind.String)
            {
                pairs.Add((property.Name, property.Value.Text!));
            }
            else
            {
                errors.Add(new ConfigDiagnostic($"{path}.{property.Name}", property.Value.Position, $"must be a string; got {property.Value.Describe()}"));
            }
        }

        return pairs;
    }

    private static (Regex, string)? Pattern(string pattern, string replacement, string path, JsoncValue value, List<ConfigDiagnostic> errors)
    {
        try
        {
            return (new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)), replacement);
        }
        catch (ArgumentException ex)
        {
            errors.Add(new ConfigDiagnostic($"{path}.{pattern}", value.Position, $"not a valid regex: {ex.Message}"));
            return null;
        }
    }

    private static EnvConfig Fail(List<ConfigDiagnostic> errors, JsoncValue value, string message)
    {
        errors.Add(new ConfigDiagnostic(EnvPath, value.Position, message));
        return EnvConfig.Default;
    }

    private static T? Fail<T>(List<ConfigDiagnostic> errors, JsoncValue value, string path, string message)
    {
        errors.Add(new ConfigDiagnostic(path, value.Position, message));
        return default;
    }
}
