namespace Mirrord.Sidecar.Hosting;

internal static partial class StartupLog
{
    // Kestrel logs event 64 ("HTTP/2 is not enabled ... TLS is not enabled") for the inbound port; the
    // sniffing middleware serves cleartext HTTP/2 there anyway, which this line states for operators.
    [LoggerMessage(EventId = SidecarEventIds.Listening, EventName = "Listening", Level = LogLevel.Information,
        Message = "mirrord-sidecar ready in pod {Pod}: inbound port {InboundPort} serves HTTP/1.1, cleartext HTTP/2 (sniffed) and raw TCP for container ports [{InterceptedPorts}]; sessions on 127.0.0.1:{SessionPort}; health and metrics on {HealthPort}")]
    public static partial void Listening(ILogger logger, string pod, int inboundPort, string interceptedPorts, int sessionPort, int healthPort);
}
