using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mirrord.Incoming.Configuration;
using Mirrord.Tunnel.Settings;

namespace Mirrord.Cli.Local;

/// <summary>
/// The client the CLI delivers requests with that reached the pod over TLS, when
/// <c>https_delivery.protocol</c> is "tls": the local process serves TLS too, and is trusted by
/// <c>server_cert</c> (that certificate exactly), else by <c>trust_roots</c>, else by the system's store.
/// </summary>
internal sealed class LocalTlsClient : IDisposable
{
    private const string Path = IncomingConfigParser.IncomingPath + ".https_delivery";

    private LocalTlsClient(HttpMessageInvoker invoker)
    {
        Invoker = invoker;
    }

    public HttpMessageInvoker Invoker { get; }

    /// <summary>Reads the files <paramref name="delivery"/> names; null without TLS delivery, or with <paramref name="error"/> naming the setting at fault.</summary>
    public static LocalTlsClient? Create(HttpsDeliveryConfig? delivery, out string? error)
    {
        error = null;
        if (delivery is not { Tls: true })
        {
            return null;
        }

        X509Certificate2Collection? pinned = null;
        var roots = new X509Certificate2Collection();
        try
        {
            if (delivery.ServerCertificate is { } serverCertificate)
            {
                pinned = Read(serverCertificate, $"{Path}.server_cert");
            }

            for (var i = 0; i < delivery.TrustRoots.Count; i++)
            {
                roots.AddRange(Read(delivery.TrustRoots[i], $"{Path}.trust_roots[{i}]"));
            }
        }
        catch (InvalidDataException ex)
        {
            error = ex.Message;
            return null;
        }

        var serverName = delivery.ServerName ?? "localhost";
        var handler = LocalHandler();

        // The TLS is made here, not by the handler: the handler would send the request's Host (the pod's
        // service name) as SNI and check the certificate against it, where the local server is server_name.
        // The handler then speaks HTTP/1.1, or HTTP/2 with prior knowledge, over the TLS stream.
        handler.ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
            try
            {
                await tls.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions
                    {
                        TargetHost = serverName,
                        ApplicationProtocols = [context.InitialRequestMessage.Version.Major == 2 ? SslApplicationProtocol.Http2 : SslApplicationProtocol.Http11],
                        RemoteCertificateValidationCallback = (_, certificate, _, errors) => Trusts(certificate, errors, pinned, roots),
                    },
                    cancellationToken);
                return tls;
            }
            catch
            {
                await tls.DisposeAsync();
                throw;
            }
        };
        return new LocalTlsClient(new HttpMessageInvoker(handler));
    }

    /// <summary>A client to the local process that passes requests as they are: no proxy, redirects, cookies, decompression or trace headers of its own.</summary>
    public static SocketsHttpHandler LocalHandler() => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ActivityHeadersPropagator = null,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        EnableMultipleHttp2Connections = true,
        MaxResponseHeadersLength = HeaderLimits.ResponseHeaderKilobytes,
    };

    public void Dispose() => Invoker.Dispose();

    private static bool Trusts(X509Certificate? presented, SslPolicyErrors errors, X509Certificate2Collection? pinned, X509Certificate2Collection roots)
    {
        if (presented is null)
        {
            return false;
        }

        if (pinned is not null)
        {
            var raw = presented.GetRawCertData();
            return pinned.Any(certificate => certificate.RawDataMemory.Span.SequenceEqual(raw));
        }

        if (roots.Count == 0)
        {
            return errors == SslPolicyErrors.None;
        }

        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }

        return Tunnel.Security.CertificateTrust.ChainsTo(presented, roots);
    }

    private static X509Certificate2Collection Read(string file, string setting)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new InvalidDataException($"{setting}: cannot read a PEM certificate from {file}: {ex.Message}");
        }

        return certificates.Count == 0
            ? throw new InvalidDataException($"{setting}: {file} holds no PEM certificate")
            : certificates;
    }
}
