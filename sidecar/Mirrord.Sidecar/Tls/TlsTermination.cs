using System.IO.Pipelines;
using System.Net.Security;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Mirrord.Sidecar.Sessions;

namespace Mirrord.Sidecar.Tls;

/// <summary>
/// Terminates a caller's TLS with the app's certificate and puts the decrypted stream where the
/// connection's transport was, as Kestrel's own HTTPS middleware does, so Kestrel's HTTP pipeline
/// and everything after it (filters, steal, mirror) see plain requests. The negotiated ALPN
/// protocol tells Kestrel HTTP/2 from HTTP/1.1.
/// </summary>
internal static class TlsTermination
{
    /// <summary>Runs the server handshake; on success the connection's transport is the decrypted stream until it is disposed.</summary>
    /// <exception cref="System.Security.Authentication.AuthenticationException">The caller's handshake failed.</exception>
    public static async Task<TerminatedConnection> TerminateAsync(
        ConnectionContext connection, AppCertificate certificate, AppTlsProfile profile, CancellationToken cancellationToken)
    {
        var original = connection.Transport;
        var tls = new SslStream(new DuplexPipeStream(original), leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsServerAsync(
                new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = certificate.Context,
                    ApplicationProtocols = profile.ApplicationProtocols,
                    ClientCertificateRequired = false,
                },
                cancellationToken);
        }
        catch
        {
            await tls.DisposeAsync();
            throw;
        }

        connection.Transport = new DecryptedPipe(PipeReader.Create(tls), PipeWriter.Create(tls));
        connection.Features.Set<ITlsConnectionFeature>(new TlsConnectionFeature());
        var negotiated = tls.NegotiatedApplicationProtocol.Protocol.ToArray();
        connection.Features.Set<ITlsApplicationProtocolFeature>(new NegotiatedProtocol(negotiated));
        return new TerminatedConnection(connection, original, tls, negotiated.AsSpan().SequenceEqual("h2"u8));
    }

    /// <summary>A terminated connection; disposing it puts the original transport back, as Kestrel expects when the pipeline returns.</summary>
    internal sealed class TerminatedConnection(ConnectionContext connection, IDuplexPipe original, SslStream tls, bool http2) : IAsyncDisposable
    {
        /// <summary>Whether ALPN chose HTTP/2 (else the decrypted bytes are sniffed as on a cleartext connection).</summary>
        public bool Http2 { get; } = http2;

        public async ValueTask DisposeAsync()
        {
            connection.Transport = original;
            await tls.DisposeAsync();
        }
    }

    private sealed class DecryptedPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    private sealed class NegotiatedProtocol(byte[] protocol) : ITlsApplicationProtocolFeature
    {
        public ReadOnlyMemory<byte> ApplicationProtocol { get; } = protocol;
    }
}
