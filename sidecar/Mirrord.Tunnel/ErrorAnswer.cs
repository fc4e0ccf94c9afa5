using System.Text;

namespace Mirrord.Tunnel;

/// <summary>
/// How mirrord answers a request it could not deliver, in the caller's own protocol: a plain
/// HTTP status with a one-line text body, or, for a gRPC caller, a trailers-only gRPC answer
/// (HTTP 200, <c>grpc-status</c> and a percent-encoded <c>grpc-message</c>; the gRPC over HTTP/2
/// protocol, PROTOCOL-HTTP2.md) that gRPC clients turn into a status they understand. Both carry
/// <see cref="TunnelHeaders.Error"/>. Used by the sidecar and by the CLI.
/// </summary>
public sealed record ErrorAnswer(int StatusCode, string ContentType, IReadOnlyList<KeyValuePair<string, string>> Headers, string? Body)
{
    /// <summary>gRPC status codes used here (google.rpc.Code).</summary>
    public const int GrpcDeadlineExceeded = 4;
    public const int GrpcResourceExhausted = 8;
    public const int GrpcUnavailable = 14;

    public static bool IsGrpc(string? contentType) => contentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;

    /// <param name="requestContentType">The request's content type, which tells a gRPC call.</param>
    /// <param name="httpStatus">The status a plain HTTP caller gets (502, 503, 504).</param>
    /// <param name="error">The <see cref="TunnelErrors"/> name.</param>
    /// <param name="message">One line for people.</param>
    /// <param name="grpcStatus">The gRPC status a gRPC caller gets instead.</param>
    /// <param name="reference">Which request it was (<see cref="TunnelHeaders.ErrorReference"/>), or null.</param>
    public static ErrorAnswer For(string? requestContentType, int httpStatus, string error, string message, int grpcStatus, string? reference = null)
    {
        List<KeyValuePair<string, string>> headers = [new(TunnelHeaders.Error, error)];
        if (reference is not null)
        {
            headers.Add(new(TunnelHeaders.ErrorReference, reference));
            message = $"{message} (request {reference})";
        }

        if (!IsGrpc(requestContentType))
        {
            return new ErrorAnswer(httpStatus, "text/plain; charset=utf-8", headers, message + "\n");
        }

        headers.Add(new("grpc-status", grpcStatus.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        headers.Add(new("grpc-message", PercentEncode(message)));
        return new ErrorAnswer(200, "application/grpc", headers, null);
    }

    // grpc-message: printable ASCII except '%' as is, everything else as %XX of its UTF-8 bytes.
    private static string PercentEncode(string message)
    {
        var text = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            if (b is >= 0x20 and <= 0x7e && b != (byte)'%')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }
}
