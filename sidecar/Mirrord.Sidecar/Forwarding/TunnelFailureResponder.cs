using Mirrord.Sidecar.Sessions;
using Mirrord.Tunnel;
using Yarp.ReverseProxy.Forwarder;

namespace Mirrord.Sidecar.Forwarding;

/// <summary>
/// Turns a failed stolen request into the documented answer: 502 (504 for a timeout) with
/// <c>mirrord-error</c> naming the reason and a one-line body. Never a retry to the container:
/// the request may already have had side effects on the laptop.
/// </summary>
internal static class TunnelFailureResponder
{
    public static async Task RespondAsync(HttpContext context, Session session, ForwarderError error)
    {
        if (context.Response.HasStarted || ForwarderErrors.IsCallerSide(error))
        {
            return;
        }

        var reason = session.HasEnded ? TunnelErrors.SessionEnded : TunnelErrors.TunnelUnavailable;
        var detail = context.Features.Get<IForwarderErrorFeature>()?.Exception?.Message;
        context.Response.StatusCode = error == ForwarderError.RequestTimedOut ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway;
        context.Response.Headers[TunnelHeaders.Error] = reason;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(
            $"mirrord: this request was stolen by session {session.Name} but could not be delivered to the developer's machine ({reason}: {detail ?? error.ToString()}). It was not sent to the application.\n");
    }
}
