namespace Mirrord.Webhook.Hosting;

internal static partial class StartupLog
{
    [LoggerMessage(EventId = WebhookEventIds.Started, EventName = "Started", Level = LogLevel.Information,
        Message = "mirrord-webhook ready: /mutate on HTTPS port {Port}, metrics on {MetricsPort}; injecting {Image}")]
    public static partial void Started(ILogger logger, int port, int metricsPort, string image);
}
