using System.Net;
using System.Text;
using Microsoft.Extensions.Primitives;
using Mirrord.Sidecar.Forwarding;
using Mirrord.Sidecar.Listeners;
using Mirrord.Sidecar.Sessions;
using Mirrord.Tunnel;

namespace Mirrord.Sidecar.Routing;

/// <summary>
/// Share links: <c>?mirrord-session=KEY</c> on a URL lets a browser drive a filtered session without an extension.
/// A GET or HEAD carrying the parameter is answered with a redirect to the same URL without it, setting a cookie;
/// the cookie on later requests becomes a <c>mirrord-session=KEY</c> member of the W3C <c>baggage</c> header, before
/// filters run and on the way to the app, so OpenTelemetry-instrumented services carry it to the next hop, where a
/// session filtering on <c>^baggage: .*mirrord-session={{ key }}.*$</c> takes it. A key whose session ended on this pod
/// is answered with a short page saying so, never silently by the app. Requests with neither the parameter nor the
/// cookie nor the baggage member cost three substring searches.
/// </summary>
internal static class ShareLinks
{
    public const string Name = "mirrord-session";

    private const string CookieName = Name;

    /// <summary>Applies the share link of the request, if any; true when it was answered here (a redirect, or the session has ended).</summary>
    public static async ValueTask<bool> ApplyAsync(HttpContext context, SessionRegistry sessions)
    {
        var request = context.Request;
        var inQuery = request.QueryString.HasValue && request.QueryString.Value!.Contains(Name, StringComparison.OrdinalIgnoreCase);
        var cookies = request.Headers.Cookie;
        var inCookie = Contains(cookies, Name);
        if (!inQuery && !inCookie && !Contains(request.Headers.Baggage, Name))
        {
            return false;
        }

        string? key = null;
        if (inQuery && request.Query.TryGetValue(Name, out var fromQuery))
        {
            key = fromQuery.ToString();
            if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            {
                Redirect(context, key);
                return true;
            }
        }
        else if (inCookie && CookieValue(cookies) is { Length: > 0 } fromCookie)
        {
            key = fromCookie;
        }

        if (key is { Length: > 0 })
        {
            request.Headers.Baggage = Baggage.With(request.Headers.Baggage, Name, key);
        }
        else
        {
            key = Baggage.Find(request.Headers.Baggage, Name);
        }

        if (key is { Length: > 0 } && sessions.HasEnded(key))
        {
            await AnswerEndedAsync(context, key);
            return true;
        }

        return false;
    }

    private static bool Contains(StringValues values, string text)
    {
        foreach (var value in values)
        {
            if (value?.Contains(text, StringComparison.Ordinal) == true)
            {
                return true;
            }
        }

        return false;
    }

    private static string? CookieValue(StringValues cookies)
    {
        foreach (var header in cookies)
        {
            foreach (var pair in (header ?? string.Empty).Split(';', StringSplitOptions.TrimEntries))
            {
                if (pair.StartsWith(CookieName + "=", StringComparison.Ordinal))
                {
                    return Uri.UnescapeDataString(pair[(CookieName.Length + 1)..].Trim('"'));
                }
            }
        }

        return null;
    }

    /// <summary>Sets (or, for an empty key, clears) the cookie and sends the browser to the URL without the parameter.</summary>
    private static void Redirect(HttpContext context, string key)
    {
        var request = context.Request;
        var kept = request.QueryString.Value!.TrimStart('?').Split('&')
            .Where(part => part.Length > 0 && !Uri.UnescapeDataString(part.Split('=')[0].Replace('+', ' ')).Equals(Name, StringComparison.OrdinalIgnoreCase));
        var query = string.Join('&', kept);
        var location = (request.PathBase + request.Path).ToUriComponent() + (query.Length > 0 ? "?" + query : string.Empty);
        var secure = InboundConnection.IsTls(context) || request.Headers["X-Forwarded-Proto"].ToString().Equals("https", StringComparison.OrdinalIgnoreCase);
        var cookie = key.Length == 0
            ? $"{CookieName}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
            : $"{CookieName}={Uri.EscapeDataString(key)}; Path=/; HttpOnly; SameSite=Lax";
        context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
        context.Response.Headers.Location = location;
        context.Response.Headers.SetCookie = secure ? cookie + "; Secure" : cookie;
        context.Response.Headers.CacheControl = "no-store";
    }

    private static async Task AnswerEndedAsync(HttpContext context, string key)
    {
        var message = $"the mirrord session \"{key}\" has ended; this request was not sent on. Open the page with ?{Name}= (empty) to clear the session from this browser";
        if (!context.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase))
        {
            await TunnelFailureResponder.WriteAsync(context, ErrorAnswer.For(
                context.Request.ContentType, StatusCodes.Status410Gone, TunnelErrors.SessionEnded, message, ErrorAnswer.GrpcUnavailable));
            return;
        }

        var encoded = WebUtility.HtmlEncode(key);
        var page = new StringBuilder()
            .Append("<!doctype html><html><head><meta charset=\"utf-8\"><title>mirrord session ended</title></head><body>")
            .Append("<h1>This mirrord session has ended</h1>")
            .Append("<p>The session <code>").Append(encoded).Append("</code> that this browser was following is over, so this request was not sent on.</p>")
            .Append("<p><a href=\"?").Append(Name).Append("=\">Continue without a session</a> (clears it from this browser).</p>")
            .Append("</body></html>\n")
            .ToString();
        context.Response.StatusCode = StatusCodes.Status410Gone;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers[TunnelHeaders.Error] = TunnelErrors.SessionEnded;
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(page, context.RequestAborted);
    }
}
