using Mirrord.Sidecar.Sessions;
using Mirrord.Tunnel;
using Yarp.ReverseProxy.Forwarder;

namespace Mirrord.Sidecar.Forwarding;

/// <summary>
/// Turns a failed stolen request into the documented answer: 502 (504 for a timeout) with
/// <c>mirrord-error</c> naming the reason and a one-line body, or the gRPC status a gRPC caller
/// understands (<see cref="ErrorAnswer"/>). Never a retry to the container: the request may already
/// have had side effects on the laptop. Callers are any client of the pod: the answer says what happened
/// and which request it was (a reference the developer finds in their output and the sidecar's log),
/// never whose session took it or what failed on the developer's side.
/// </summary>
internal static class TunnelFailureResponder
{
    /// <summary>Writes <paramref name="answer"/> as the response (nothing may have been sent yet).</summary>
    public static async Task WriteAsync(HttpContext context, ErrorAnswer answer)
    {
        context.Response.StatusCode = answer.StatusCode;
        context.Response.ContentType = answer.ContentType;
        foreach (var (name, value) in answer.Headers)
        {
            context.Response.Headers[name] = value;
        }

        if (answer.Body is { } body)
        {
            await context.Response.WriteAsync(body);
        }
    }

    /// <param name="context">The stolen request, not answered yet.</param>
    /// <param name="session">The session that stole it.</param>
    /// <param name="error">What went wrong on the way to the laptop.</param>
    /// <param name="mayHaveBeenDelivered">The CLI had claimed the request before the path broke (<see cref="StealTicket"/>).</param>
    public static async Task RespondAsync(HttpContext context, Session session, ForwarderError error, bool mayHaveBeenDelivered)
    {
        if (context.Response.HasStarted || ForwarderErrors.IsCallerSide(error))
        {
            return;
        }

        var delivered = mayHaveBeenDelivered;
        var reason = delivered ? TunnelErrors.DeliveryInterrupted : session.HasEnded ? TunnelErrors.SessionEnded : TunnelErrors.TunnelUnavailable;
        var timedOut = error == ForwarderError.RequestTimedOut;
        var fate = delivered
            ? "The developer's process may have received it; it was not sent to the application."
            : "It was not delivered there, and will not be; it was not sent to the application either.";
        await WriteAsync(context, ErrorAnswer.For(
            context.Request.ContentType,
            timedOut ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway,
            reason,
            $"mirrord: this request was taken by a developer's debugging session, but the path to the developer's machine failed ({reason}). {fate}",
            timedOut ? ErrorAnswer.GrpcDeadlineExceeded : ErrorAnswer.GrpcUnavailable,
            Reference(context, session)));
    }

    /// <summary>Which request this is, as the caller is told and the sidecar logs it: the session's id and the request's number in it.</summary>
    public static string Reference(HttpContext context, Session session)
        => context.Features.Get<StealTicket>() is { } ticket ? $"{session.Id}/{ticket.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : session.Id;
}
