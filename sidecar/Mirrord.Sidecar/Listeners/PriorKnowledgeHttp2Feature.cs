using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Mirrord.Sidecar.Listeners;

/// <summary>
/// Makes Kestrel serve HTTP/2 on a cleartext connection that opened with the HTTP/2 preface.
/// Kestrel picks HTTP/2 on an Http1AndHttp2 endpoint only when ALPN said "h2", which needs TLS;
/// this feature, with an empty TLS connection feature beside it, says so for a connection we
/// have already sniffed. It leans on Kestrel's protocol selection (dotnet/aspnetcore#56984 tracks
/// native support); <c>ProtocolSnifferTests</c> pins the behaviour.
/// </summary>
internal sealed class PriorKnowledgeHttp2Feature : ITlsApplicationProtocolFeature
{
    public static PriorKnowledgeHttp2Feature Instance { get; } = new();

    public ReadOnlyMemory<byte> ApplicationProtocol { get; } = "h2"u8.ToArray();
}
