using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mirrord.Incoming.Configuration;
using Mirrord.Tunnel.Settings;

namespace Mirrord.Cli.Local;

/// <summary>
/// The client the CLI delivers requests with that reached the pod over TLS, as mirrord's does (mirrord intproxy
/// <c>proxies/incoming/tls.rs</c>, <c>LocalTlsSetup</c>, and <c>http/client_store.rs</c>; release 3.250): the local
/// server's certificate is trusted by <c>server_cert</c> (its chain), else by <c>trust_roots</c>, else whatever it is.
/// The server name, sent as SNI and checked in the certificate, is <c>server_name</c>, else the first name of
/// <c>server_cert</c>'s certificate, else the SNI the caller sent the pod, else the request's host, else <c>localhost</c>.
/// </summary>
internal sealed class LocalTlsClient : IDisposable
{
    private const int MaxServerNames = 16;

    private readonly X509Certificate2Collection? _anchors;
    private readonly string? _fixedName;
    private readonly ConcurrentDictionary<string, HttpMessageInvoker> _invokers = new(StringComparer.OrdinalIgnoreCase);

    private LocalTlsClient(X509Certificate2Collection? anchors, string? fixedName)
    {
        _anchors = anchors;
        _fixedName = fixedName;
    }

    /// <summary>
    /// Reads the files <paramref name="delivery"/> names; null when delivery is in clear HTTP, or with <paramref name="error"/>
    /// naming the setting at fault.
    /// </summary>
    public static LocalTlsClient? Create(TlsDeliveryConfig delivery, string setting, out string? error)
    {
        error = null;
        if (!delivery.Tls)
        {
            return null;
        }

        try
        {
            if (delivery.ServerCertificate is { } serverCertificate)
            {
                var chain = Read(serverCertificate, $"{setting}.server_cert");
                return new LocalTlsClient(chain, delivery.ServerName ?? FirstName(chain[0]));
            }

            if (delivery.TrustRoots is { } roots)
            {
                var anchors = new X509Certificate2Collection();
                for (var i = 0; i < roots.Count; i++)
                {
                    anchors.AddRange(ReadRoots(roots[i], $"{setting}.trust_roots[{i}]"));
                }

                return anchors.Count == 0
                    ? throw new InvalidDataException($"{setting}.trust_roots: no certificate found in {string.Join(", ", roots)}")
                    : new LocalTlsClient(anchors, delivery.ServerName);
            }

            return new LocalTlsClient(null, delivery.ServerName);
        }
        catch (InvalidDataException ex)
        {
            error = ex.Message;
            return null;
        }
    }

    /// <summary>
    /// The client for one request: its server name from the config or the certificate, else <paramref name="callerServerName"/>
    /// (the caller's SNI), else <paramref name="requestHost"/>, else <c>localhost</c>.
    /// </summary>
    public HttpMessageInvoker InvokerFor(string? callerServerName, string? requestHost)
    {
        var name = _fixedName ?? ValidName(callerServerName) ?? ValidName(requestHost) ?? "localhost";
        if (_invokers.TryGetValue(name, out var invoker))
        {
            return invoker;
        }

        // Callers choose SNI and Host: a bounded set of clients, the rest made for the request alone would leak connections.
        return _invokers.Count >= MaxServerNames ? _invokers.GetOrAdd("localhost", Create) : _invokers.GetOrAdd(name, Create);
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

    public void Dispose()
    {
        foreach (var invoker in _invokers.Values)
        {
            invoker.Dispose();
        }
    }

    private HttpMessageInvoker Create(string serverName)
    {
        var handler = LocalHandler();

        // The TLS is made here, not by the handler: the handler would send the request's Host (the pod's service
        // name) as SNI and check the certificate against it, where the local server's name is decided above.
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
                        RemoteCertificateValidationCallback = (_, certificate, _, errors) => Trusts(certificate, errors),
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
        return new HttpMessageInvoker(handler);
    }

    private bool Trusts(X509Certificate? presented, SslPolicyErrors errors)
    {
        if (presented is null)
        {
            return false;
        }

        // mirrord's client without trust_roots or server_cert accepts any certificate: the server is the developer's own.
        if (_anchors is null)
        {
            return true;
        }

        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }

        var raw = presented.GetRawCertData();
        return _anchors.Any(anchor => anchor.RawDataMemory.Span.SequenceEqual(raw)) || Tunnel.Security.CertificateTrust.ChainsTo(presented, _anchors);
    }

    /// <summary>A name rustls would take as a server name (a DNS name or an IP address), or null.</summary>
    private static string? ValidName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        // A Host header's port is not part of the name; an IPv6 literal keeps its brackets until here.
        var host = name.StartsWith('[') && name.IndexOf(']', StringComparison.Ordinal) is > 0 and var close ? name[1..close]
            : name.LastIndexOf(':') is > 0 and var colon && name.IndexOf(':', StringComparison.Ordinal) == colon ? name[..colon] : name;
        return TlsDeliveryConfig.IsValidServerName(host) ? host : null;
    }

    /// <summary>The first subject alternative name of the certificate (DNS name or IP address), as mirrord takes it; null when it has none.</summary>
    private static string? FirstName(X509Certificate2 certificate)
    {
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        return names?.EnumerateDnsNames().FirstOrDefault() ?? names?.EnumerateIPAddresses().FirstOrDefault()?.ToString();
    }

    /// <summary>A trust root entry: a PEM file, or a folder whose files (not its subfolders) are read, those without certificates skipped.</summary>
    private static X509Certificate2Collection ReadRoots(string path, string setting)
    {
        if (!Directory.Exists(path))
        {
            return Read(path, setting);
        }

        var found = new X509Certificate2Collection();
        foreach (var file in Directory.EnumerateFiles(path))
        {
            try
            {
                found.AddRange(Read(file, setting));
            }
            catch (InvalidDataException)
            {
                // As mirrord's best-effort root store: a file of the folder that holds no certificate is passed over.
            }
        }

        return found;
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
