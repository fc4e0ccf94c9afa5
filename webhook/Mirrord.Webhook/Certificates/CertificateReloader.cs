using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Mirrord.Webhook.Hosting;

namespace Mirrord.Webhook.Certificates;

/// <summary>
/// Serves the certificate from the PEM files and swaps it when they change: each TLS handshake
/// asks <see cref="Current"/>, so a rotated Secret is picked up without a restart. A half-written
/// or mismatched pair keeps the previous certificate and is logged.
/// </summary>
internal sealed partial class CertificateReloader : IDisposable
{
    private readonly WebhookOptions _options;
    private readonly ILogger<CertificateReloader> _logger;
    private readonly ITimer _timer;
    private X509Certificate2 _current;
    private string _fingerprint;

    public CertificateReloader(IOptions<WebhookOptions> options, TimeProvider time, ILogger<CertificateReloader> logger)
    {
        _options = options.Value;
        _logger = logger;
        (_current, _fingerprint) = Load();
        _timer = time.CreateTimer(_ => Check(), null, _options.CertificateCheckInterval, _options.CertificateCheckInterval);
    }

    public X509Certificate2 Current => Volatile.Read(ref _current);

    /// <summary>Re-reads the files now; true when the certificate changed.</summary>
    public bool Check()
    {
        try
        {
            var fingerprint = Fingerprint();
            if (fingerprint == _fingerprint)
            {
                return false;
            }

            var (certificate, loaded) = Load();
            // The previous certificate is left to the GC: a handshake in progress may still hold it.
            Volatile.Write(ref _current, certificate);
            _fingerprint = loaded;
            Log.Reloaded(_logger, certificate.Subject, certificate.NotAfter);
            return true;
        }
        catch (Exception ex) when (ex is IOException or CryptographicException or UnauthorizedAccessException or ArgumentException)
        {
            Log.ReloadFailed(_logger, _options.CertificateFile, ex.Message);
            return false;
        }
    }

    private (X509Certificate2 Certificate, string Fingerprint) Load()
    {
        foreach (var (setting, path) in new[] { ("Webhook:CertificateFile", _options.CertificateFile), ("Webhook:KeyFile", _options.KeyFile) })
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"{setting} {path}: no such file (mount the webhook's TLS Secret there)", path);
            }
        }

        var fingerprint = Fingerprint();
        using var pem = X509Certificate2.CreateFromPemFile(_options.CertificateFile, _options.KeyFile);

        // Re-import so the key is usable by SslStream on every platform (PEM-loaded keys are ephemeral).
        return (X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null), fingerprint);
    }

    private string Fingerprint()
        => Convert.ToHexString(SHA256.HashData([.. File.ReadAllBytes(_options.CertificateFile), .. File.ReadAllBytes(_options.KeyFile)]));

    public void Dispose() => _timer.Dispose();

    private static partial class Log
    {
        [LoggerMessage(EventId = WebhookEventIds.CertificateReloaded, EventName = "CertificateReloaded", Level = LogLevel.Information,
            Message = "Serving certificate {Subject}, valid until {NotAfter:u}")]
        public static partial void Reloaded(ILogger logger, string subject, DateTime notAfter);

        [LoggerMessage(EventId = WebhookEventIds.CertificateReloadFailed, EventName = "CertificateReloadFailed", Level = LogLevel.Warning,
            Message = "The certificate at {Path} changed but cannot be loaded ({Reason}); still serving the previous one")]
        public static partial void ReloadFailed(ILogger logger, string path, string reason);
    }
}
