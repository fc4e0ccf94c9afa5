using System.Text.Json;
using Mirrord.Incoming.Configuration;
using Mirrord.Incoming.Jsonc;

namespace Mirrord.Incoming.Outgoing;

/// <summary>
/// Reads <c>feature.network.outgoing</c> and <c>feature.network.dns</c> from a mirrord.json. Every problem names its
/// field and position; a config with any problem yields none, so a bad one never half-applies.
/// </summary>
public static class OutgoingConfigParser
{
    private const string OutgoingPath = "feature.network.outgoing";
    private const string DnsPath = "feature.network.dns";

    public static (OutgoingConfig? Config, IReadOnlyList<ConfigDiagnostic> Errors) ParseMirrordJson(string text)
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

        var errors = new List<ConfigDiagnostic>();
        var config = OutgoingConfig.Default;
        var network = root.FindProperty("feature")?.Value is { Kind: JsonValueKind.Object } feature ? feature.FindProperty("network")?.Value : null;
        if (network is { Kind: JsonValueKind.False })
        {
            return (config with { Tcp = false, Udp = false, RemoteDns = false }, errors);
        }

        if (network is not { Kind: JsonValueKind.Object })
        {
            return (config, errors);
        }

        if (network.FindProperty("outgoing")?.Value is { } outgoing)
        {
            config = ReadOutgoing(outgoing, config, errors);
        }

        if (network.FindProperty("dns")?.Value is { } dns)
        {
            config = ReadDns(dns, config, errors);
        }

        return errors.Count == 0 ? (config, errors) : (null, errors);
    }

    private static OutgoingConfig ReadOutgoing(JsoncValue value, OutgoingConfig config, List<ConfigDiagnostic> errors)
    {
        switch (value.Kind)
        {
            case JsonValueKind.True or JsonValueKind.Null:
                return config;
            case JsonValueKind.False:
                return config with { Tcp = false, Udp = false };
            case not JsonValueKind.Object:
                errors.Add(new ConfigDiagnostic(OutgoingPath, value.Position, $"must be true, false or an object; got {value.Describe()}"));
                return config;
        }

        foreach (var property in value.Properties)
        {
            var path = $"{OutgoingPath}.{property.Name}";
            switch (property.Name)
            {
                case "tcp":
                    config = config with { Tcp = Boolean(property.Value, path, errors) ?? config.Tcp };
                    break;
                case "udp":
                    config = config with { Udp = Boolean(property.Value, path, errors) ?? config.Udp };
                    break;
                case "ignore_localhost":
                    config = config with { IgnoreLocalhost = Boolean(property.Value, path, errors) ?? config.IgnoreLocalhost };
                    break;
                case "unix_streams":
                    break;
                case "filter":
                    var (remote, local) = Filter(property.Value, path, errors);
                    config = config with { Remote = remote, LocalOnly = local };
                    break;
                default:
                    errors.Add(new ConfigDiagnostic(path, property.NamePosition, "unknown field; expected tcp, udp, ignore_localhost, filter or unix_streams"));
                    break;
            }
        }

        return config;
    }

    private static OutgoingConfig ReadDns(JsoncValue value, OutgoingConfig config, List<ConfigDiagnostic> errors)
    {
        switch (value.Kind)
        {
            case JsonValueKind.True or JsonValueKind.Null:
                return config;
            case JsonValueKind.False:
                return config with { RemoteDns = false };
            case not JsonValueKind.Object:
                errors.Add(new ConfigDiagnostic(DnsPath, value.Position, $"must be true, false or an object; got {value.Describe()}"));
                return config;
        }

        foreach (var property in value.Properties)
        {
            var path = $"{DnsPath}.{property.Name}";
            switch (property.Name)
            {
                case "enabled":
                    config = config with { RemoteDns = Boolean(property.Value, path, errors) ?? config.RemoteDns };
                    break;
                case "filter":
                    var (remote, local) = Filter(property.Value, path, errors);
                    config = config with { RemoteDnsNames = remote, LocalDns = local };
                    break;
                default:
                    errors.Add(new ConfigDiagnostic(path, property.NamePosition, "unknown field; expected enabled or filter"));
                    break;
            }
        }

        return config;
    }

    private static bool? Boolean(JsoncValue value, string path, List<ConfigDiagnostic> errors)
    {
        if (value.Kind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.IsTrue;
        }

        errors.Add(new ConfigDiagnostic(path, value.Position, $"must be true or false; got {value.Describe()}"));
        return null;
    }

    /// <summary>A filter is <c>{ "remote": [...] }</c> or <c>{ "local": [...] }</c>, one of them (each entry a string, or one string alone).</summary>
    private static (IReadOnlyList<AddressFilter>? Remote, IReadOnlyList<AddressFilter>? Local) Filter(JsoncValue value, string path, List<ConfigDiagnostic> errors)
    {
        if (value.Kind != JsonValueKind.Object || value.Properties.Count != 1 || value.Properties[0].Name is not ("remote" or "local"))
        {
            errors.Add(new ConfigDiagnostic(path, value.Position, "must be { \"remote\": [addresses] } or { \"local\": [addresses] }, one of the two"));
            return (null, null);
        }

        var side = value.Properties[0];
        var items = side.Value.Kind == JsonValueKind.String ? [side.Value] : side.Value.Items;
        if (side.Value.Kind is not (JsonValueKind.String or JsonValueKind.Array))
        {
            errors.Add(new ConfigDiagnostic($"{path}.{side.Name}", side.Value.Position, $"must be a list of addresses; got {side.Value.Describe()}"));
            return (null, null);
        }

        var filters = new List<AddressFilter>();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var where = $"{path}.{side.Name}[{i}]";
            if (item.Kind != JsonValueKind.String)
            {
                errors.Add(new ConfigDiagnostic(where, item.Position, $"must be an address string; got {item.Describe()}"));
            }
            else if (AddressFilter.TryParse(item.Text!, out var filter, out var problem))
            {
                filters.Add(filter);
            }
            else
            {
                errors.Add(new ConfigDiagnostic(where, item.Position, problem));
            }
        }

        return side.Name == "remote" ? (filters, null) : (null, filters);
    }
}
