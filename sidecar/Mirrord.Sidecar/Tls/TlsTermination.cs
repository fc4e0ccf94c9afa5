using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Mirrord.Sidecar.Sessions;
using Mirrord.Tunnel.Security;

namespace Mirrord.Sidecar.Tls;

/// <summary>
/// Terminates a caller's TLS with the app's certificate and puts the decrypted stream where the
/// connection's transport was, as Kestrel's own HTTPS middleware does, so Kestrel's HTTP pipeline
/// and everything after it (filters, steal, mirror) see plain requests. The negotiated ALPN
/// protocol tells Kestrel HTTP/2 from HTTP/1.1.
/// </summary>
internal static class TlsTermination
{
    /// <summary>
    /// Runs the server handshake; on success the connection's transport is the decrypted stream until it is disposed.
    /// Where the app asks its callers for a client certificate, the sidecar asks the same and checks it against the
    /// authorities the app trusts (<paramref name="clientAuthorities"/>), refusing a caller the app would refuse:
    /// the sidecar presents its own certificate to the app, so the app cannot check the caller's any more.
    /// </summary>
    /// <exception cref="System.Security.Authentication.AuthenticationException">The caller's handshake failed.</exception>
    public static async Task<TerminatedConnection> TerminateAsync(
        ConnectionContext connection,
        AppCertificate certificate,
        AppTlsProfile profile,
        X509Certificate2Collection? clientAuthorities,
        TimeProvider time,
        CancellationToken cancellationToken)
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
                    ClientCertificateRequired = profile.Callers != CallerCertificates.NotAsked,
                    RemoteCertificateValidationCallback = (_, presented, sent, _) => profile.Callers switch
                    {
                        CallerCertificates.NotAsked => true,
                        _ when presented is null => profile.Callers == CallerCertificates.Optional,

                        // Never reached without authorities (the profile refuses the port), and never with an empty set.
                        _ => clientAuthorities is { Count: > 0 } && CertificateTrust.IsValidClientCertificate(presented, clientAuthorities, sent),
                    },
                },
                cancellationToken);
        }
        catch
        {
            await tls.DisposeAsync();
            throw;
        }

        // Kestrel writes into a pipe that a pump copies into the SslStream, as its own transports do: a caller that
        // hung up then completes the pipe (Kestrel sees the connection end), where a write straight into the
        // SslStream would throw into Kestrel's flusher, which logs every exception as an error. Neither side
        // disposes the SslStream: it outlives both and goes with the connection.
        var output = new Pipe(new PipeOptions(pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024, useSynchronizationContext: false));
        var pump = PumpAsync(output.Reader, tls);
        connection.Transport = new DecryptedPipe(PipeReader.Create(tls, new StreamPipeReaderOptions(leaveOpen: true)), output.Writer);
        connection.Features.Set<ITlsConnectionFeature>(new TlsConnectionFeature { ClientCertificate = CallerCertificate(tls) });
        var negotiated = tls.NegotiatedApplicationProtocol.Protocol.ToArray();
        connection.Features.Set<ITlsApplicationProtocolFeature>(new NegotiatedProtocol(negotiated));
        return new TerminatedConnection(connection, original, tls, output, pump, time, negotiated.AsSpan().SequenceEqual("h2"u8));
    }

    private static X509Certificate2? CallerCertificate(SslStream tls)
        => tls.RemoteCertificate is { } presented ? presented as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(presented.GetRawCertData()) : null;

    private static async Task PumpAsync(PipeReader decrypted, SslStream tls)
    {
        try
        {
            while (true)
            {
                var result = await decrypted.ReadAsync();
                foreach (var segment in result.Buffer)
                {
                    await tls.WriteAsync(segment);
                }

                await tls.FlushAsync();
                decrypted.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
            // The caller went away: routine, and what Kestrel learns from the completed pipe.
        }
        finally
        {
            await decrypted.CompleteAsync();
        }
    }

    /// <summary>A terminated connection; disposing it puts the original transport back, as Kestrel expects when the pipeline returns.</summary>
    internal sealed class TerminatedConnection(ConnectionContext connection, IDuplexPipe original, SslStream tls, Pipe output, Task pump, TimeProvider time, bool http2) : IAsyncDisposable
    {
        /// <summary>How long the last bytes Kestrel wrote may take to reach a caller before the connection is closed anyway.</summary>
        private static readonly TimeSpan s_drain = TimeSpan.FromSeconds(5);

        /// <summary>Whether ALPN chose HTTP/2 (else the decrypted bytes are sniffed as on a cleartext connection).</summary>
        public bool Http2 { get; } = http2;

        /// <summary>The name the caller asked for in its ClientHello (SNI); empty when it sent none.</summary>
        public string ServerName => tls.TargetHostName;

        public async ValueTask DisposeAsync()
        {
            connection.Transport = original;
            await output.Writer.CompleteAsync();

            // The answer's last bytes go out before the connection closes, unless the caller stopped reading.
            await Task.WhenAny(pump, Task.Delay(s_drain, time));
            await tls.DisposeAsync();
            await pump;
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
