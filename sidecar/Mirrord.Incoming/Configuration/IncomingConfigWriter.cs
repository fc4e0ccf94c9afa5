using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Mirrord.Incoming.Configuration;

/// <summary>
/// Writes a config back as JSON with every default spelled out. The output parses back to an
/// equal config, so it doubles as the wire form of a session's policy.
/// </summary>
public static class IncomingConfigWriter
{
    private static readonly JsonWriterOptions s_options = new()
    {
        Indented = true,
        // Patterns are full of characters ('+', '<', '\'') that the default encoder escapes; keep them readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// The bare incoming object, as the <c>mirrord.dev/config</c> annotation holds it and a session registers it: what the
    /// sidecar uses (the laptop's <c>tls_delivery</c> stays on the laptop).
    /// </summary>
    public static string WriteIncoming(IncomingConfig config) => Write(writer => WriteIncomingObject(writer, config, laptopSettings: false));

    /// <summary>A minimal mirrord.json holding only <c>feature.network.incoming</c>.</summary>
    public static string WriteMirrordJson(IncomingConfig config) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteStartObject("feature");
        writer.WriteStartObject("network");
        writer.WritePropertyName("incoming");
        WriteIncomingObject(writer, config, laptopSettings: true);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    });

    private static string Write(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, s_options))
        {
            body(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteIncomingObject(Utf8JsonWriter writer, IncomingConfig config, bool laptopSettings)
    {
        writer.WriteStartObject();
        writer.WriteString("mode", config.Mode.ToString().ToLowerInvariant());
        if (config.HttpFilter is { } filter)
        {
            writer.WriteStartObject("http_filter");
            WriteTopLevelRule(writer, filter.Rule);
            WritePorts(writer, "ports", filter.Ports);
            writer.WriteEndObject();
        }

        writer.WriteStartArray("port_mapping");
        foreach (var mapping in config.PortMapping)
        {
            writer.WriteStartArray();
            writer.WriteNumberValue(mapping.Local);
            writer.WriteNumberValue(mapping.Remote);
            writer.WriteEndArray();
        }

        writer.WriteEndArray();
        WritePorts(writer, "ignore_ports", config.IgnorePorts);
        if (config.Ports is { } ports)
        {
            WritePorts(writer, "ports", ports);
        }

        writer.WriteString("on_concurrent_steal", config.OnConcurrentSteal.ToString().ToLowerInvariant());
        if (laptopSettings)
        {
            WriteTlsDelivery(writer, config.TlsDelivery);
        }

        writer.WriteEndObject();
    }

    private static void WriteTlsDelivery(Utf8JsonWriter writer, TlsDeliveryConfig delivery)
    {
        writer.WriteStartObject("tls_delivery");
        writer.WriteString("protocol", delivery.Tls ? "tls" : "tcp");
        if (delivery.TrustRoots is { } roots)
        {
            writer.WriteStartArray("trust_roots");
            foreach (var root in roots)
            {
                writer.WriteStringValue(root);
            }

            writer.WriteEndArray();
        }

        if (delivery.ServerName is { } name)
        {
            writer.WriteString("server_name", name);
        }

        if (delivery.ServerCertificate is { } certificate)
        {
            writer.WriteString("server_cert", certificate);
        }

        writer.WriteEndObject();
    }

    private static void WriteTopLevelRule(Utf8JsonWriter writer, FilterRuleConfig rule)
    {
        switch (rule)
        {
            case HeaderRuleConfig header:
                writer.WriteString("header_filter", header.Pattern);
                break;
            case PathRuleConfig path:
                writer.WriteString("path_filter", path.Pattern);
                break;
            case MethodRuleConfig method:
                writer.WriteString("method_filter", method.Method);
                break;
            case JsonBodyRuleConfig body:
                writer.WriteStartObject("body_filter");
                WriteBodyFields(writer, body);
                writer.WriteEndObject();
                break;
            case CompositeRuleConfig composite:
                writer.WriteStartArray(composite.KeyName);
                foreach (var member in composite.Rules)
                {
                    WriteMember(writer, member);
                }

                writer.WriteEndArray();
                break;
        }
    }

    private static void WriteMember(Utf8JsonWriter writer, FilterRuleConfig rule)
    {
        writer.WriteStartObject();
        switch (rule)
        {
            case HeaderRuleConfig header:
                writer.WriteString("header", header.Pattern);
                break;
            case PathRuleConfig path:
                writer.WriteString("path", path.Pattern);
                break;
            case MethodRuleConfig method:
                writer.WriteString("method", method.Method);
                break;
            case JsonBodyRuleConfig body:
                WriteBodyFields(writer, body);
                break;
        }

        writer.WriteEndObject();
    }

    private static void WriteBodyFields(Utf8JsonWriter writer, JsonBodyRuleConfig body)
    {
        writer.WriteString("body", "json");
        writer.WriteString("query", body.Query);
        writer.WriteString("matches", body.Pattern);
    }

    private static void WritePorts(Utf8JsonWriter writer, string name, IReadOnlyList<int> ports)
    {
        writer.WriteStartArray(name);
        foreach (var port in ports)
        {
            writer.WriteNumberValue(port);
        }

        writer.WriteEndArray();
    }
}
