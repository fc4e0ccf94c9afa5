using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Options;
using Mirrord.Sidecar.Hosting;

namespace Mirrord.Sidecar.Tls;

/// <summary>
/// Learns, with one TLS handshake to the app per port and certificate version, what the sidecar
/// must know before it terminates callers' TLS on that port: which ALPN protocols the app offers
/// (the sidecar offers callers the same), whether the app presents the Secret's certificate, and
/// whether it asks callers for a client certificate, which the sidecar cannot present for them.
/// </summary>
internal sealed partial class AppTlsProbe
{
    private static readonly List<SslApplicationProtocol> s_offered = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];

    private readonly AppCertificates _certificates;
    private readonly string _address;
    private readonly ILogger<AppTlsProbe> _logger;
    private readonly ConcurrentDictionary<int, Task<AppTlsProfile>> _profiles = new();

    public AppTlsProbe(AppCertificates certificates, IOptions<SidecarOptions> options, ILogger<AppTlsProbe> logger)
    {
        _certificates = certificates;
        _address = options.Value.AppAddress;
        _logger = logger;
    }

    /// <summary>The port's profile for <paramref name="certificate"/>, learnt once; a port the app does not serve yet is asked again next time.</summary>
    public async Task<AppTlsProfile> ProfileAsync(int port, AppCertificate certificate, CancellationToken cancellationToken)
    {
        while (true)
        {
            var known = _profiles.GetOrAdd(port, p => ProbeAsync(p, certificate));
            var profile = await known.WaitAsync(cancellationToken);
            if (profile.CertificateVersion == certificate.Version)
            {
                return profile;
            }

            _profiles.TryUpdate(port, ProbeAsync(port, certificate), known);
        }
    }

    /// <summary>
    /// For a session whose filter covers <paramref name="ports"/>: why any of them that serve TLS are not
    /// filtered, as a notice the CLI shows the developer; null when nothing is amiss.
    /// </summary>
    public async Task<string?> UnfilteredNoticeAsync(IEnumerable<int> ports, CancellationToken cancellationToken)
    {
        var notices = new List<string>();
        foreach (var port in ports.Where(_certificates.Covers))
        {
            var certificate = _certificates.Current(out var problem);
            var refusal = certificate is null ? problem : (await ProfileAsync(port, certificate, cancellationToken)).Refusal;
            if (refusal is not null)
            {
                notices.Add($"HTTPS on port {port} is relayed unfiltered, so nothing on it is stolen: {refusal}");
            }
        }

        return notices.Count == 0 ? null : string.Join("; ", notices);
    }

    private async Task<AppTlsProfile> ProbeAsync(int port, AppCertificate certificate)
    {
        var askedForClientCertificate = false;
        var client = _certificates.ClientCertificate;
        try
        {
            using var tcp = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await tcp.ConnectAsync(_address, port, timeout.Token);
            await using var tls = new SslStream(tcp.GetStream());
            await tls.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = TargetHost(certificate),
                    ApplicationProtocols = s_offered,
                    RemoteCertificateValidationCallback = (_, presented, _, _) => certificate.IsTheApps(presented),
                    LocalCertificateSelectionCallback = (_, _, _, remote, _) =>
                    {
                        // SslStream also asks once before the handshake, with no server certificate yet; only a call
                        // after the server's certificate arrived answers the server's CertificateRequest.
                        askedForClientCertificate |= remote is not null;
                        return client!;
                    },
                },
                timeout.Token);

            var protocols = tls.NegotiatedApplicationProtocol == SslApplicationProtocol.Http2 ? s_offered : [SslApplicationProtocol.Http11];
            var refusal = askedForClientCertificate && client is null
                ? $"the app on port {port} asks callers for a client certificate, which the sidecar cannot present on their behalf; give the sidecar one of its own (mirrord.dev/tls-client-secret) to filter this port"
                : null;
            Report(port, refusal);
            return new AppTlsProfile(certificate.Version, refusal, protocols);
        }
        catch (AuthenticationException ex)
        {
            var refusal = askedForClientCertificate && client is null
                ? $"the app on port {port} requires a client certificate, which the sidecar cannot present on the callers' behalf; give the sidecar one of its own (mirrord.dev/tls-client-secret) to filter this port"
                : $"the app on port {port} does not present the certificate in the mounted Secret, nor one its ca.crt signed ({ex.Message}); is mirrord.dev/tls-secret the Secret the app serves?";
            Report(port, refusal);
            return new AppTlsProfile(certificate.Version, refusal, []);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            // The app is not listening yet (or restarting): this connection goes through untouched, the next one asks again.
            _profiles.TryRemove(port, out _);
            return new AppTlsProfile(certificate.Version, $"the app on port {port} did not complete a TLS handshake with the sidecar ({ex.Message})", []);
        }
    }

    private void Report(int port, string? refusal)
    {
        if (refusal is not null)
        {
            Log.PortNotFiltered(_logger, port, refusal);
        }
    }

    /// <summary>The certificate's first DNS name, as a caller that knows the service would send in SNI.</summary>
    private static string TargetHost(AppCertificate certificate)
        => certificate.Leaf.Extensions.OfType<System.Security.Cryptography.X509Certificates.X509SubjectAlternativeNameExtension>()
            .SelectMany(names => names.EnumerateDnsNames()).FirstOrDefault() ?? "localhost";

    private static partial class Log
    {
        [LoggerMessage(EventId = SidecarEventIds.TlsPortNotFiltered, EventName = "TlsPortNotFiltered", Level = LogLevel.Warning,
            Message = "TLS on port {Port} is relayed unfiltered: {Reason}")]
        public static partial void PortNotFiltered(ILogger logger, int port, string reason);
    }
}
