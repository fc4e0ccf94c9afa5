using System.Text;
using Microsoft.Extensions.Primitives;

namespace Mirrord.Sidecar.Routing;

/// <summary>
/// The W3C Baggage header (w3.org/TR/baggage): comma-separated <c>key=value</c> members, each maybe with
/// <c>;properties</c>, over one or several header lines; values percent-encode what is not a baggage-octet.
/// </summary>
internal static class Baggage
{
    /// <summary>The header with <paramref name="key"/> set to <paramref name="value"/>: an existing member of that key replaced, the others kept in order.</summary>
    public static string With(StringValues headers, string key, string value)
    {
        var members = Members(headers).Where(member => !KeyOf(member).Equals(key, StringComparison.Ordinal)).ToList();
        members.Add($"{key}={Encode(value)}");
        return string.Join(',', members);
    }

    /// <summary>The decoded value of <paramref name="key"/>, or null.</summary>
    public static string? Find(StringValues headers, string key)
    {
        foreach (var member in Members(headers))
        {
            if (KeyOf(member).Equals(key, StringComparison.Ordinal))
            {
                var value = member[(member.IndexOf('=', StringComparison.Ordinal) + 1)..];
                var properties = value.IndexOf(';', StringComparison.Ordinal);
                return Uri.UnescapeDataString((properties < 0 ? value : value[..properties]).Trim());
            }
        }

        return null;
    }

    private static IEnumerable<string> Members(StringValues headers)
        => headers.SelectMany(header => (header ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    private static string KeyOf(string member)
    {
        var equals = member.IndexOf('=', StringComparison.Ordinal);
        return (equals < 0 ? member : member[..equals]).Trim();
    }

    /// <summary>baggage-octet: printable ASCII but space, DQUOTE, comma, semicolon and backslash; '%' is encoded too, as the escape.</summary>
    private static string Encode(string value)
    {
        var text = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is > 0x20 and < 0x7f && b is not ((byte)'"' or (byte)',' or (byte)';' or (byte)'\\' or (byte)'%'))
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
