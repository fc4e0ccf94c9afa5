using System.Text.Json;
using Mirrord.Incoming.Jsonc;

namespace Mirrord.Incoming.Configuration;

/// <summary>
/// Walks the JSON of <c>feature.network.incoming</c>, collecting every error and warning.
/// The filter part lives in <c>IncomingConfigReader.Filters.cs</c>, scalar helpers in
/// <c>IncomingConfigReader.Values.cs</c>.
/// </summary>
internal sealed partial class IncomingConfigReader
{
    private static readonly string[] s_incomingFields =
    [
        "mode", "http_filter", "http_header_filter", "port_mapping", "ignore_ports", "ports", "on_concurrent_steal",
        "ignore_localhost", "listen_ports", "tls_delivery", "https_delivery",
    ];

    private readonly List<ConfigDiagnostic> _errors = [];
    private readonly List<ConfigDiagnostic> _warnings = [];

    public ConfigParseResult Finish(IncomingConfig config)
        => new(_errors.Count == 0 ? config : null, _errors, _warnings);

    /// <summary>Finds <c>feature.network.incoming</c> in a whole mirrord.json and reads it.</summary>
    public IncomingConfig LocateIncoming(JsoncValue root)
    {
        if (root.Kind != JsonValueKind.Object)
        {
            Error("mirrord.json", root, $"must be an object; got {root.Describe()}");
            return IncomingConfig.Default;
        }

        if (root.FindProperty("feature") is not { } feature || feature.Value.Kind == JsonValueKind.Null)
        {
            return IncomingConfig.Default;
        }

        if (feature.Value.Kind != JsonValueKind.Object)
        {
            Error("feature", feature.Value, $"must be an object; got {feature.Value.Describe()}");
            return IncomingConfig.Default;
        }

        if (feature.Value.FindProperty("network") is not { } network)
        {
            return IncomingConfig.Default;
        }

        // mirrord accepts "network": true/false as a switch for the whole network feature.
        switch (network.Value.Kind)
        {
            case JsonValueKind.Null or JsonValueKind.True:
                return IncomingConfig.Default;
            case JsonValueKind.False:
                return IncomingConfig.Default with { Mode = IncomingMode.Off };
            case JsonValueKind.Object:
                var incoming = network.Value.FindProperty("incoming");
                return incoming is null ? IncomingConfig.Default : ReadIncoming(incoming.Value, IncomingConfigParser.IncomingPath);
            default:
                Error("feature.network", network.Value, $"must be an object or a boolean; got {network.Value.Describe()}");
                return IncomingConfig.Default;
        }
    }

    /// <summary>Reads the incoming value in any of mirrord's forms: null, a boolean, a mode string or an object.</summary>
    public IncomingConfig ReadIncoming(JsoncValue value, string path)
    {
        switch (value.Kind)
        {
            case JsonValueKind.Null or JsonValueKind.True:
                return IncomingConfig.Default;
            case JsonValueKind.False:
                return IncomingConfig.Default with { Mode = IncomingMode.Off };
            case JsonValueKind.String:
                return IncomingConfig.Default with { Mode = ReadMode(value, path) };
            case JsonValueKind.Object:
                return ReadIncomingObject(value, path);
            default:
                Error(path, value, $"must be \"off\", \"mirror\", \"steal\" or an object; got {value.Describe()}");
                return IncomingConfig.Default;
        }
    }

    private IncomingConfig ReadIncomingObject(JsoncValue value, string path)
    {
        var fields = ReadFields(value, path, s_incomingFields);
        var config = IncomingConfig.Default;

        if (fields.TryGetValue("mode", out var mode))
        {
            config = config with { Mode = ReadMode(mode.Value, $"{path}.mode") };
        }

        fields.TryGetValue("http_filter", out var httpFilter);
        fields.TryGetValue("http_header_filter", out var legacyFilter);
        if (httpFilter is not null && legacyFilter is not null)
        {
            Error($"{path}.http_header_filter", legacyFilter.Value,
                "cannot be combined with http_filter; move its filter into http_filter.header_filter");
        }
        else if (httpFilter is not null)
        {
            config = config with { HttpFilter = ReadHttpFilter(httpFilter.Value, $"{path}.http_filter") };
        }
        else if (legacyFilter is not null)
        {
            config = config with { HttpFilter = ReadLegacyHeaderFilter(legacyFilter.Value, $"{path}.http_header_filter") };
        }

        if (fields.TryGetValue("port_mapping", out var portMapping))
        {
            config = config with { PortMapping = ReadPortMapping(portMapping.Value, $"{path}.port_mapping") };
        }

        if (fields.TryGetValue("ignore_ports", out var ignorePorts))
        {
            config = config with { IgnorePorts = ReadPortList(ignorePorts.Value, $"{path}.ignore_ports", allowSingle: false) };
        }

        if (fields.TryGetValue("ports", out var ports))
        {
            config = config with { Ports = ReadPortList(ports.Value, $"{path}.ports", allowSingle: false) };
            if (config.Ports.Count > 0 && config.IgnorePorts.Count > 0)
            {
                Error($"{path}.ports", ports.Value, "cannot be set together with ignore_ports; use one of them");
            }
        }

        if (fields.TryGetValue("on_concurrent_steal", out var onConcurrentSteal))
        {
            config = config with { OnConcurrentSteal = ReadConcurrentSteal(onConcurrentSteal.Value, $"{path}.on_concurrent_steal") };
        }

        // As mirrord-config's LayerConfig::verify: the two names together are an error, the old one a warning.
        fields.TryGetValue("tls_delivery", out var tlsDelivery);
        if (fields.TryGetValue("https_delivery", out var httpsDelivery) && tlsDelivery is not null)
        {
            Error($"{path}.https_delivery", httpsDelivery.Value, "cannot be set together with tls_delivery, its current name; keep tls_delivery");
        }
        else if (httpsDelivery is not null)
        {
            Warning($"{path}.https_delivery", httpsDelivery.Value, "is deprecated in mirrord; write tls_delivery (it is read as tls_delivery)");
            config = config with { TlsDelivery = ReadTlsDelivery(httpsDelivery.Value, $"{path}.https_delivery") with { Field = "https_delivery" } };
        }
        else if (tlsDelivery is not null)
        {
            config = config with { TlsDelivery = ReadTlsDelivery(tlsDelivery.Value, $"{path}.tls_delivery") };
        }

        foreach (var ignored in (string[])["ignore_localhost", "listen_ports"])
        {
            if (fields.TryGetValue(ignored, out var property))
            {
                Warning($"{path}.{ignored}", property.Value,
                    "is a setting of mirrord's local layer or operator and has no effect on the sidecar; it is ignored");
            }
        }

        if (config.Mode == IncomingMode.Off && config.HttpFilter is not null)
        {
            Warning($"{path}.http_filter", httpFilter?.Value ?? legacyFilter!.Value, "has no effect while mode is \"off\"");
        }

        return config;
    }

    private IncomingMode ReadMode(JsoncValue value, string path)
    {
        var text = ReadString(value, path);
        switch (text)
        {
            case null:
                return IncomingMode.Mirror;
            case "off":
                return IncomingMode.Off;
            case "mirror":
                return IncomingMode.Mirror;
            case "steal":
                return IncomingMode.Steal;
            default:
                Error(path, value, $"must be \"off\", \"mirror\" or \"steal\"; got \"{text}\"{CaseHint(text, "off", "mirror", "steal")}");
                return IncomingMode.Mirror;
        }
    }

    private ConcurrentStealPolicy ReadConcurrentSteal(JsoncValue value, string path)
    {
        var text = ReadString(value, path);
        switch (text)
        {
            case null or "abort":
                return ConcurrentStealPolicy.Abort;
            case "continue":
                return ConcurrentStealPolicy.Continue;
            case "override":
                return ConcurrentStealPolicy.Override;
            default:
                Error(path, value, $"must be \"abort\", \"continue\" or \"override\"; got \"{text}\"{CaseHint(text, "abort", "continue", "override")}");
                return ConcurrentStealPolicy.Abort;
        }
    }

    private List<PortMapping> ReadPortMapping(JsoncValue value, string path)
    {
        var mappings = new List<PortMapping>();
        if (value.Kind != JsonValueKind.Array)
        {
            Error(path, value, $"must be an array of [local, remote] port pairs; got {value.Describe()}");
            return mappings;
        }

        for (var i = 0; i < value.Items.Count; i++)
        {
            var item = value.Items[i];
            var itemPath = $"{path}[{i}]";
            if (item.Kind != JsonValueKind.Array || item.Items.Count != 2)
            {
                Error(itemPath, item, $"must be a [local, remote] pair of ports; got {item.Describe()}");
                continue;
            }

            var local = ReadPort(item.Items[0], $"{itemPath}[0]");
            var remote = ReadPort(item.Items[1], $"{itemPath}[1]");
            if (local is null || remote is null)
            {
                continue;
            }

            if (mappings.Exists(mapping => mapping.Remote == remote))
            {
                Error(itemPath, item, $"remote port {remote} is already mapped by an earlier entry");
                continue;
            }

            if (mappings.Exists(mapping => mapping.Local == local))
            {
                Error(itemPath, item, $"local port {local} is already mapped by an earlier entry (mirrord maps ports one to one)");
                continue;
            }

            mappings.Add(new PortMapping(local.Value, remote.Value));
        }

        return mappings;
    }
}
