using System.Text.Json;
using Mirrord.Incoming.Jsonc;

namespace Mirrord.Incoming.Configuration;

internal sealed partial class IncomingConfigReader
{
    private static readonly string[] s_tlsDeliveryFields = ["protocol", "trust_roots", "server_name", "server_cert"];

    /// <summary><c>tls_delivery</c> with mirrord's defaults and checks (mirrord-config feature/network/incoming/tls_delivery.rs, <c>verify</c>).</summary>
    private TlsDeliveryConfig ReadTlsDelivery(JsoncValue value, string path)
    {
        if (value.Kind == JsonValueKind.Null)
        {
            return TlsDeliveryConfig.Default;
        }

        var fields = ReadFields(value, path, s_tlsDeliveryFields);
        var delivery = TlsDeliveryConfig.Default;
        if (fields.TryGetValue("protocol", out var protocol))
        {
            switch (ReadString(protocol.Value, $"{path}.protocol"))
            {
                case null or "tls":
                    break;
                case "tcp":
                    delivery = delivery with { Tls = false };
                    break;
                case var other:
                    Error($"{path}.protocol", protocol.Value, $"must be \"tls\" (the default) or \"tcp\" (clear HTTP); got \"{other}\"{CaseHint(other, "tcp", "tls")}");
                    break;
            }
        }

        if (fields.TryGetValue("trust_roots", out var roots))
        {
            if (roots.Value.Kind != JsonValueKind.Array)
            {
                Error($"{path}.trust_roots", roots.Value, $"must be an array of PEM files or folders; got {roots.Value.Describe()}");
            }
            else if (roots.Value.Items.Count == 0 && delivery.Tls)
            {
                Error($"{path}.trust_roots", roots.Value, "cannot be an empty list; leave it out to trust the local server whatever its certificate");
            }
            else
            {
                var paths = new List<string>();
                for (var i = 0; i < roots.Value.Items.Count; i++)
                {
                    if (ReadString(roots.Value.Items[i], $"{path}.trust_roots[{i}]") is { } file)
                    {
                        paths.Add(file);
                    }
                }

                delivery = delivery with { TrustRoots = paths };
            }
        }

        if (fields.TryGetValue("server_name", out var serverName))
        {
            var name = ReadString(serverName.Value, $"{path}.server_name");
            if (name is not null && delivery.Tls && !TlsDeliveryConfig.IsValidServerName(name))
            {
                Error($"{path}.server_name", serverName.Value, $"must be a valid DNS name or an IP address; got \"{name}\"");
            }

            delivery = delivery with { ServerName = name };
        }

        if (fields.TryGetValue("server_cert", out var serverCertificate))
        {
            delivery = delivery with { ServerCertificate = ReadString(serverCertificate.Value, $"{path}.server_cert") };
            if (delivery.Tls && roots is not null)
            {
                Error($"{path}.server_cert", serverCertificate.Value, "cannot be set together with trust_roots; trust the local server by one of them");
            }
        }

        if (!delivery.Tls && (roots is not null || serverCertificate is not null || serverName is not null))
        {
            Warning(path, value, "sets how to trust the local server, which matters only with \"protocol\": \"tls\"; requests are delivered in clear HTTP");
        }

        return delivery;
    }
}
