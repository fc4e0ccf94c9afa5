using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Mirrord.Sidecar.Tls;

/// <summary>
/// The caller's verified client certificate as Envoy passes it to the app it fronts, in
/// <c>x-forwarded-client-cert</c>: <c>Hash</c> (SHA-256 of the DER certificate, hex), <c>Subject</c> (always
/// quoted), then each <c>URI</c> and <c>DNS</c> subject alternative name, separated by <c>;</c>. Envoy's
/// "sanitize and set" mode: whatever a caller sent under that name is dropped first, so a caller without a
/// certificate cannot claim one. <c>By</c> (the URI name of the proxy's own certificate) is left out: the
/// sidecar presents the app's certificate, not one of its own.
/// </summary>
internal static class ForwardedClientCertificate
{
    public const string HeaderName = "x-forwarded-client-cert";

    /// <summary>Replaces the request's <c>x-forwarded-client-cert</c> with the certificate the caller presented, or removes it when it presented none.</summary>
    public static void Apply(HttpContext context)
    {
        context.Request.Headers.Remove(HeaderName);
        if (context.Connection.ClientCertificate is { } certificate)
        {
            context.Request.Headers[HeaderName] = Format(certificate);
        }
    }

    public static string Format(X509Certificate2 certificate)
    {
        var value = new StringBuilder()
            .Append("Hash=").Append(Convert.ToHexStringLower(SHA256.HashData(certificate.RawDataMemory.Span)))
            .Append(";Subject=\"").Append(certificate.Subject.Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
        foreach (var uri in UriNames(certificate))
        {
            value.Append(";URI=").Append(Quoted(uri));
        }

        foreach (var dns in certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(names => names.EnumerateDnsNames()))
        {
            value.Append(";DNS=").Append(Quoted(dns));
        }

        return value.ToString();
    }

    /// <summary>A value with a separator in it is quoted, as Envoy quotes it; others go as they are.</summary>
    private static string Quoted(string value)
        => value.AsSpan().IndexOfAny(",;=\"") < 0 ? value : $"\"{value.Replace("\"", "\\\"", StringComparison.Ordinal)}\"";

    /// <summary>The uniformResourceIdentifier names ([6] IA5String) of the subject alternative names (RFC 5280 4.2.1.6), which .NET does not list.</summary>
    private static List<string> UriNames(X509Certificate2 certificate)
    {
        var names = new List<string>();
        var uriTag = new Asn1Tag(TagClass.ContextSpecific, 6);
        foreach (var extension in certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>())
        {
            try
            {
                var sequence = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
                while (sequence.HasData)
                {
                    if (sequence.PeekTag().HasSameClassAndValue(uriTag))
                    {
                        names.Add(sequence.ReadCharacterString(UniversalTagNumber.IA5String, uriTag));
                    }
                    else
                    {
                        sequence.ReadEncodedValue();
                    }
                }
            }
            catch (AsnContentException)
            {
                // A certificate the handshake accepted with a malformed name list: the names that were read still go.
            }
        }

        return names;
    }
}
