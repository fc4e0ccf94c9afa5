using System.Text.Json;
using Mirrord.Incoming.Jsonc;

namespace Mirrord.Incoming.Configuration;

internal sealed partial class IncomingConfigReader
{
    private static readonly string[] s_httpsDeliveryFields = ["protocol", "trust_roots", "server_name", "server_cert"];

    private HttpsDeliveryConfig ReadHttpsDelivery(JsoncValue value, string path)
    {
        var fields = ReadFields(value, path, s_httpsDeliveryFields);
        var delivery = new HttpsDeliveryConfig();
        if (fields.TryGetValue("protocol", out var protocol))
        {
            switch (ReadString(protocol.Value, $"{path}.protocol"))
            {
                case null or "tcp":
                    break;
                case "tls":
                    delivery = delivery with { Tls = true };
                    break;
                case var other:
                    Error($"{path}.protocol", protocol.Value, $"must be \"tcp\" (clear HTTP) or \"tls\"; got \"{other}\"{CaseHint(other, "tcp", "tls")}");
                    break;
            }
        }

        if (fields.TryGetValue("trust_roots", out var roots))
        {
            if (roots.Value.Kind != JsonValueKind.Array)
            {
                Error($"{path}.trust_roots", roots.Value, $"must be an array of PEM file paths; got {roots.Value.Describe()}");
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
            delivery = delivery with { ServerName = ReadString(serverName.Value, $"{path}.server_name") };
        }

        if (fields.TryGetValue("server_cert", out var serverCertificate))
        {
            delivery = delivery with { ServerCertificate = ReadString(serverCertificate.Value, $"{path}.server_cert") };
        }

        if (!delivery.Tls && (delivery.TrustRoots.Count > 0 || delivery.ServerCertificate is not null || delivery.ServerName is not null))
        {
            Warning(path, value, "sets how to trust the local server, which matters only with \"protocol\": \"tls\"; requests are delivered in clear HTTP");
        }

        return delivery;
    }
}
