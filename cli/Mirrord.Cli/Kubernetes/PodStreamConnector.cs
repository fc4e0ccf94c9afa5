using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Mirrord.Cli.Kubernetes;

/// <summary>
/// Opens a pod's port-forward or exec WebSocket through the API client's own HTTP pipeline, so that it travels
/// exactly as the plain requests do: the same TLS trust and client certificate, the cluster's
/// <c>tls-server-name</c> as SNI, <c>proxy-url</c>, impersonation and credentials. The upgrade is
/// sent as an ordinary request, which keeps a refusal's body readable: an RBAC refusal carries a
/// Status naming the verb, while a refused subprotocol is a bare 403.
/// </summary>
internal static class PodStreamConnector
{
    public const string Protocol = "v4.channel.k8s.io";

    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <exception cref="UpgradeRefusedException">The API server answered something other than 101.</exception>
    public static Task<WebSocket> PortForwardAsync(KubeContext kube, string pod, int port, CancellationToken cancellationToken)
        => ConnectAsync(kube, pod, $"portforward?ports={port}", cancellationToken);

    /// <summary>Runs <paramref name="command"/> in <paramref name="container"/> of the pod, with its output and its status on the socket (no stdin, no terminal).</summary>
    /// <exception cref="UpgradeRefusedException">The API server answered something other than 101.</exception>
    public static Task<WebSocket> ExecAsync(KubeContext kube, string pod, string container, IReadOnlyList<string> command, CancellationToken cancellationToken)
        => ConnectAsync(kube, pod, $"exec?container={Uri.EscapeDataString(container)}&{string.Join("&", command.Select(part => "command=" + Uri.EscapeDataString(part)))}&stdout=true&stderr=true", cancellationToken);

    private static async Task<WebSocket> ConnectAsync(KubeContext kube, string pod, string subresource, CancellationToken cancellationToken)
    {
        var uri = new Uri($"{kube.Client.BaseUri.ToString().TrimEnd('/')}/api/v1/namespaces/{Uri.EscapeDataString(kube.Namespace)}/pods/{Uri.EscapeDataString(pod)}/{subresource}");
        using var request = new HttpRequestMessage(HttpMethod.Get, uri) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.Add(new ProductHeaderValue("websocket"));
        request.Headers.TryAddWithoutValidation("Sec-WebSocket-Version", "13");
        request.Headers.TryAddWithoutValidation("Sec-WebSocket-Key", key);
        request.Headers.TryAddWithoutValidation("Sec-WebSocket-Protocol", Protocol);
        if (kube.TlsServerName is { Length: > 0 } serverName)
        {
            // As the client library does for plain requests: the Host header is also what the connection's SNI is taken from.
            request.Headers.Host = serverName;
        }

        if (kube.Client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken);
        }

        var response = await kube.Client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode != HttpStatusCode.SwitchingProtocols)
        {
            using (response)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                throw new UpgradeRefusedException(response.StatusCode, StatusMessage(body));
            }
        }

#pragma warning disable CA5350 // RFC 6455 fixes SHA-1 for Sec-WebSocket-Accept; it proves the handshake, it protects nothing.
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + AcceptGuid)));
#pragma warning restore CA5350
        var protocol = response.Headers.TryGetValues("Sec-WebSocket-Protocol", out var protocols) ? protocols.FirstOrDefault() : null;
        if (!response.Headers.TryGetValues("Sec-WebSocket-Accept", out var accepts) || accepts.FirstOrDefault() != accept || protocol is not (null or Protocol))
        {
            response.Dispose();
            throw new WebSocketException(WebSocketError.HeaderError, $"the API server's WebSocket handshake is not valid (subprotocol \"{protocol}\")");
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        return WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = false, SubProtocol = protocol, KeepAliveInterval = TimeSpan.FromSeconds(30) });
    }

    /// <summary>The message of a Kubernetes Status body, or null when the body is not one (or empty).</summary>
    private static string? StatusMessage(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("kind", out var kind) && kind.GetString() == "Status" && json.RootElement.TryGetProperty("message", out var message)
                ? message.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
