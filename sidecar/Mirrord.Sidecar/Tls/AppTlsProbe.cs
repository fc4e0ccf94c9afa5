using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Mirrord.Sidecar.Hosting;
using Mirrord.Tunnel;

namespace Mirrord.Sidecar.Tls;

/// <summary>
/// Learns, with a TLS handshake to the app per port and certificate version, what the sidecar
/// must know before it terminates callers' TLS on that port: which ALPN protocols the app offers
/// (the sidecar offers callers the same), whether the app presents the Secret's certificate, and
/// whether it asks callers for a client certificate (and, with a second handshake, whether it
/// refuses callers without one), which the sidecar must then check as the app would.
/// A refusal is not for good: the app may have been restarting, or be given the certificate later,
/// so a refused port is asked again after a back-off (10 s, doubling up to 5 min, on the injected
/// clock), and when it can be filtered again <see cref="FilteringResumed"/> tells the sessions.
/// </summary>
internal sealed partial class AppTlsProbe
{
    private static readonly List<SslApplicationProtocol> s_offered = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];

    private static readonly TimeSpan s_firstRetry = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_longestRetry = TimeSpan.FromMinutes(5);

    private readonly AppCertificates _certificates;
    private readonly string _address;
    private readonly TimeProvider _time;
    private readonly ILogger<AppTlsProbe> _logger;
    private readonly ConcurrentDictionary<int, Task<AppTlsProfile>> _profiles = new();

    public AppTlsProbe(AppCertificates certificates, IOptions<SidecarOptions> options, TimeProvider time, ILogger<AppTlsProbe> logger)
    {
        _certificates = certificates;
        _address = options.Value.AppAddress;
        _time = time;
        _logger = logger;
    }

    /// <summary>A port that was refused can be filtered now: the port, and a sentence for the developers whose filters cover it.</summary>
    public event Action<int, string>? FilteringResumed;

    /// <summary>How long a refused port waits before it is asked again, after <paramref name="refusals"/> refusals in a row.</summary>
    public static TimeSpan RetryAfter(int refusals)
        => TimeSpan.FromTicks(Math.Min(s_longestRetry.Ticks, s_firstRetry.Ticks << Math.Min(Math.Max(refusals - 1, 0), 16)));

    /// <summary>
    /// The port's profile for <paramref name="certificate"/>, learnt once; a refused port is asked again once
    /// its back-off has passed, and a port the app does not serve yet next time.
    /// </summary>
    public async Task<AppTlsProfile> ProfileAsync(int port, AppCertificate certificate, CancellationToken cancellationToken)
    {
        while (true)
        {
            var known = _profiles.GetOrAdd(port, p => ProbeAsync(p, certificate, previous: null));
            var profile = await known.WaitAsync(cancellationToken);
            if (profile.CertificateVersion != certificate.Version)
            {
                _profiles.TryUpdate(port, ProbeAsync(port, certificate, previous: null), known);
                continue;
            }

            if (profile.Refusal is not null && _time.GetElapsedTime(profile.LearntAt) >= RetryAfter(profile.Refusals))
            {
                _profiles.TryUpdate(port, ProbeAsync(port, certificate, profile), known);
                continue;
            }

            return profile;
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

    private async Task<AppTlsProfile> ProbeAsync(int port, AppCertificate certificate, AppTlsProfile? previous)
    {
        var profile = await HandshakeAsync(port, certificate);
        if (profile.Refusal is not null)
        {
            return profile with { LearntAt = _time.GetTimestamp(), Refusals = (previous?.Refusals ?? 0) + 1 };
        }

        if (previous?.Refusal is not null)
        {
            Log.PortFilteredAgain(_logger, port);
            FilteringResumed?.Invoke(port, $"HTTPS on port {port} is filtered now: the app's TLS can be terminated again (it was relayed unfiltered: {previous.Refusal})");
        }

        return profile;
    }

    private async Task<AppTlsProfile> HandshakeAsync(int port, AppCertificate certificate)
    {
        var asked = new StrongBox<bool>();
        var client = _certificates.ClientCertificate;
        try
        {
            var negotiated = await HandshakeOnceAsync(port, certificate, client, asked);
            var protocols = negotiated == SslApplicationProtocol.Http2 ? s_offered : [SslApplicationProtocol.Http11];
            if (!asked.Value)
            {
                return new AppTlsProfile(certificate.Version, null, protocols);
            }

            var refusal = client is null
                ? $"the app on port {port} asks callers for a client certificate, which the sidecar cannot present on their behalf; give the sidecar one of its own ({TlsAnnotations.ClientSecret}) and the authorities the app trusts for callers ({TlsAnnotations.ClientAuthority}) to filter this port"
                : _certificates.ClientAuthorities is null
                    ? $"the app on port {port} asks callers for a client certificate; the sidecar presents its own only for callers whose certificates it checked as the app does, so name the authorities the app trusts for callers ({TlsAnnotations.ClientAuthority}) to filter this port"
                    : null;
            Report(port, refusal);
            var callers = refusal is null && !await RequiresClientCertificateAsync(port, certificate) ? CallerCertificates.Optional : CallerCertificates.Required;
            return new AppTlsProfile(certificate.Version, refusal, protocols, Callers: callers);
        }
        catch (AuthenticationException ex)
        {
            var refusal = (asked.Value, client) switch
            {
                (true, null) => $"the app on port {port} requires a client certificate, which the sidecar cannot present on the callers' behalf; give the sidecar one of its own ({TlsAnnotations.ClientSecret}) and the authorities the app trusts for callers ({TlsAnnotations.ClientAuthority}) to filter this port",
                (true, _) => $"the app on port {port} refused the sidecar's client certificate ({ex.Message}); {TlsAnnotations.ClientSecret} must name a certificate the app trusts",
                _ => $"the app on port {port} does not present the certificate in the mounted Secret, nor one its ca.crt signed ({ex.Message}); is {TlsAnnotations.Secret} the Secret the app serves?",
            };
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

    /// <summary>
    /// Whether the app refuses a caller without a client certificate. The refusal may come after the handshake
    /// (TLS 1.3 always, and TLS 1.2 under servers that check certificates once their part is done), so the
    /// sidecar also speaks first and waits for the app's first bytes: under HTTP/2 the connection preface, which
    /// the app answers with its SETTINGS and which is no request; under HTTP/1.1 <c>OPTIONS *</c>, the request
    /// RFC 9110 (9.3.7) keeps for asking a server about itself. Bytes back mean the caller was let in.
    /// </summary>
    private async Task<bool> RequiresClientCertificateAsync(int port, AppCertificate certificate)
    {
        try
        {
            await HandshakeOnceAsync(port, certificate, client: null, new StrongBox<bool>(), async (tls, token) =>
            {
                var opening = tls.NegotiatedApplicationProtocol == SslApplicationProtocol.Http2
                    ? "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\x04\0\0\0\0\0"u8.ToArray()
                    : System.Text.Encoding.ASCII.GetBytes($"OPTIONS * HTTP/1.1\r\nHost: {TargetHost(certificate)}\r\nConnection: close\r\n\r\n");
                await tls.WriteAsync(opening, token);
                await tls.FlushAsync(token);
                if (await tls.ReadAsync(new byte[1], token) == 0)
                {
                    throw new IOException("the app closed the connection without an answer");
                }
            });
            return false;
        }
        catch (Exception ex) when (ex is AuthenticationException or SocketException or IOException or OperationCanceledException)
        {
            return true;
        }
    }

    private async Task<SslApplicationProtocol> HandshakeOnceAsync(
        int port, AppCertificate certificate, X509Certificate2? client, StrongBox<bool> askedForClientCertificate, Func<SslStream, CancellationToken, Task>? then = null)
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
                    // SslStream also asks once before the handshake, with no server certificate yet, and a certificate
                    // given then is sent unasked-about; answering only the call that follows the server's
                    // CertificateRequest is how the sidecar learns whether the app asks.
                    if (remote is null)
                    {
                        return null!;
                    }

                    askedForClientCertificate.Value = true;
                    return client!;
                },
            },
            timeout.Token);
        if (then is not null)
        {
            await then(tls, timeout.Token);
        }

        return tls.NegotiatedApplicationProtocol;
    }

    private void Report(int port, string? refusal)
    {
        if (refusal is not null)
        {
            Log.PortNotFiltered(_logger, port, refusal);
        }
    }

    /// <summary>The certificate's first DNS name, as a caller that knows the service would send in SNI.</summary>
    private static string TargetHost(AppCertificate certificate) => AppCertificate.FirstDnsName(certificate.Leaf) ?? "localhost";

    private static partial class Log
    {
        [LoggerMessage(EventId = SidecarEventIds.TlsPortNotFiltered, EventName = "TlsPortNotFiltered", Level = LogLevel.Warning,
            Message = "TLS on port {Port} is relayed unfiltered: {Reason}")]
        public static partial void PortNotFiltered(ILogger logger, int port, string reason);

        [LoggerMessage(EventId = SidecarEventIds.TlsPortFilteredAgain, EventName = "TlsPortFilteredAgain", Level = LogLevel.Information,
            Message = "TLS on port {Port} can be terminated again: its requests are filtered from now on")]
        public static partial void PortFilteredAgain(ILogger logger, int port);
    }
}
