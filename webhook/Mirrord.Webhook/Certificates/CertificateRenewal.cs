using Microsoft.Extensions.Options;
using Mirrord.Webhook.Hosting;

namespace Mirrord.Webhook.Certificates;

/// <summary>
/// With <see cref="CertificateMode.SelfManaged"/>, runs the bootstrap again every
/// <see cref="WebhookOptions.CertificateRenewalInterval"/>: a certificate near its end is renewed
/// (by whichever replica gets there first; the others pick up the new Secret), and the new files
/// are served by <see cref="CertificateReloader"/> without a restart.
/// </summary>
internal sealed partial class CertificateRenewal : BackgroundService
{
    private readonly CertificateBootstrapper _bootstrapper;
    private readonly WebhookOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<CertificateRenewal> _logger;

    public CertificateRenewal(CertificateBootstrapper bootstrapper, IOptions<WebhookOptions> options, TimeProvider time, ILogger<CertificateRenewal> logger)
    {
        _bootstrapper = bootstrapper;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.CertificateMode != CertificateMode.SelfManaged)
        {
            return;
        }

        using var timer = new PeriodicTimer(_options.CertificateRenewalInterval, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default))
        {
            try
            {
                using var client = _bootstrapper.CreateClient();
                await _bootstrapper.EnsureAsync(client, stoppingToken);
            }
            catch (Exception ex) when (ex is k8s.Autorest.HttpOperationException or HttpRequestException or IOException)
            {
                // The current certificate stays in service; the next tick tries again.
                Log.RenewalFailed(_logger, ex.Message);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = WebhookEventIds.CertificateRenewalFailed, EventName = "CertificateRenewalFailed", Level = LogLevel.Warning,
            Message = "Could not check or renew the webhook certificate ({Reason}); trying again at the next interval")]
        public static partial void RenewalFailed(ILogger logger, string reason);
    }
}
