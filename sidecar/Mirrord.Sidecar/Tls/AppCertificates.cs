using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Mirrord.Sidecar.Hosting;

namespace Mirrord.Sidecar.Tls;

/// <summary>
/// The app's certificate and the sidecar's own client certificate, read from their mounted Secrets
/// and read again when the kubelet has rewritten them (looked at, at most, every
/// <see cref="TlsOptions.ReloadInterval"/>, on the injected clock). A Secret that is missing or
/// unreadable leaves its ports relayed as opaque bytes, as without HTTPS stealing, until it is fixed.
/// </summary>
internal sealed partial class AppCertificates
{
    private readonly TlsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AppCertificates> _logger;
    private readonly Lock _lock = new();
    private long _checkedAt;
    private bool _checkedOnce;
    private string? _fingerprint;
    private string? _problem;
    private AppCertificate? _current;
    private string? _clientFingerprint;
    private X509Certificate2? _client;
    private string? _authoritiesFingerprint;
    private X509Certificate2Collection? _clientAuthorities;

    public AppCertificates(IOptions<SidecarOptions> options, TimeProvider time, ILogger<AppCertificates> logger)
    {
        _options = options.Value.Tls;
        _time = time;
        _logger = logger;
    }

    /// <summary>Whether <paramref name="port"/> is one whose TLS the sidecar terminates.</summary>
    public bool Covers(int port) => _options.PortList.Contains(port);

    public IReadOnlyList<int> Ports => _options.PortList;

    /// <summary>The app's certificate now, or null (with <paramref name="problem"/>) when the Secret gives none.</summary>
    public AppCertificate? Current(out string? problem)
    {
        lock (_lock)
        {
            if (!_checkedOnce || _time.GetElapsedTime(_checkedAt) >= _options.ReloadInterval)
            {
                _checkedOnce = true;
                _checkedAt = _time.GetTimestamp();
                Reload();
            }

            problem = _problem;
            return _current;
        }
    }

    /// <summary>The sidecar's own client certificate, or null when it was given none.</summary>
    public X509Certificate2? ClientCertificate
    {
        get
        {
            lock (_lock)
            {
                return _client;
            }
        }
    }

    /// <summary>The authorities the app trusts for its callers' certificates, or null when the sidecar was given none.</summary>
    public X509Certificate2Collection? ClientAuthorities
    {
        get
        {
            lock (_lock)
            {
                return _clientAuthorities;
            }
        }
    }

    /// <summary>Whether the sidecar passes callers' verified certificates on in <c>x-forwarded-client-cert</c>.</summary>
    public bool ForwardsClientCertificates => _options.ForwardClientCertificate;

    private void Reload()
    {
        var folder = _options.CertificateDirectory;
        var fingerprint = folder.Length == 0 ? null : TlsFolder.Fingerprint(folder);
        if (fingerprint is null)
        {
            SetProblem($"no {TlsFolder.CertificateFile} and {TlsFolder.KeyFile} in {(folder.Length == 0 ? "(no folder: Sidecar:Tls:CertificateDirectory is empty)" : folder)}: is the Secret there?");
        }
        else if (fingerprint != _fingerprint)
        {
            try
            {
                var (leaf, chain, authorities) = TlsFolder.Read(folder);
                var previous = _current?.Leaf;
                _current = new AppCertificate(
                    (_current?.Version ?? 0) + 1, leaf, SslStreamCertificateContext.Create(leaf, chain, offline: true), authorities, previous);
                _fingerprint = fingerprint;
                _problem = null;
                Log.CertificateLoaded(_logger, _current.Version, leaf.Subject, leaf.NotAfter.ToUniversalTime(), string.Join(",", Ports));
                if (leaf.NotAfter.ToUniversalTime() < _time.GetUtcNow().UtcDateTime)
                {
                    Log.CertificateExpired(_logger, leaf.NotAfter.ToUniversalTime());
                }
            }
            catch (Exception ex) when (ex is CryptographicException or IOException)
            {
                SetProblem($"{folder} does not hold a PEM certificate and its key: {ex.Message}");
            }
        }

        ReloadClient();
        ReloadClientAuthorities();
    }

    private void SetProblem(string problem)
    {
        // Keep serving a certificate that worked: a Secret half rewritten or briefly gone must not break callers.
        if (_current is not null)
        {
            if (problem != _problem)
            {
                Log.ReloadFailed(_logger, problem);
            }

            _problem = problem;
            return;
        }

        if (problem != _problem)
        {
            Log.NoCertificate(_logger, string.Join(",", Ports), problem);
        }

        _problem = problem;
    }

    private void ReloadClient()
    {
        var folder = _options.ClientCertificateDirectory;
        if (folder.Length == 0 || TlsFolder.Fingerprint(folder) is not { } fingerprint || fingerprint == _clientFingerprint)
        {
            return;
        }

        try
        {
            _client = TlsFolder.Read(folder).Leaf;
            _clientFingerprint = fingerprint;
        }
        catch (Exception ex) when (ex is CryptographicException or IOException)
        {
            Log.ReloadFailed(_logger, $"{folder} does not hold the sidecar's client certificate and key: {ex.Message}");
        }
    }

    private void ReloadClientAuthorities()
    {
        var folder = _options.ClientAuthorityDirectory;
        if (folder.Length == 0 || TlsFolder.AuthorityFingerprint(folder) is not { } fingerprint || fingerprint == _authoritiesFingerprint)
        {
            return;
        }

        try
        {
            _clientAuthorities = TlsFolder.ReadAuthorities(folder);
            _authoritiesFingerprint = fingerprint;
        }
        catch (Exception ex) when (ex is CryptographicException or IOException)
        {
            Log.ReloadFailed(_logger, $"{folder} does not hold the authorities for callers' certificates in {TlsFolder.AuthorityFile}: {ex.Message}");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = SidecarEventIds.TlsCertificateLoaded, EventName = "TlsCertificateLoaded", Level = LogLevel.Information,
            Message = "The app's certificate (version {Version}, {Subject}, valid until {NotAfter:u}) is loaded: TLS on ports {Ports} is terminated and filtered")]
        public static partial void CertificateLoaded(ILogger logger, int version, string subject, DateTime notAfter, string ports);

        [LoggerMessage(EventId = SidecarEventIds.TlsCertificateExpired, EventName = "TlsCertificateExpired", Level = LogLevel.Warning,
            Message = "The app's certificate expired at {NotAfter:u}: callers that check it refuse it, as they would refuse the app's own")]
        public static partial void CertificateExpired(ILogger logger, DateTime notAfter);

        [LoggerMessage(EventId = SidecarEventIds.TlsNoCertificate, EventName = "TlsNoCertificate", Level = LogLevel.Warning,
            Message = "TLS on ports {Ports} is relayed unfiltered: {Problem}")]
        public static partial void NoCertificate(ILogger logger, string ports, string problem);

        [LoggerMessage(EventId = SidecarEventIds.TlsReloadFailed, EventName = "TlsReloadFailed", Level = LogLevel.Warning,
            Message = "Kept the certificate loaded before: {Problem}")]
        public static partial void ReloadFailed(ILogger logger, string problem);
    }
}
