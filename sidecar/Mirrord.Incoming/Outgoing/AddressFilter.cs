using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Mirrord.Incoming.Outgoing;

/// <summary>The protocol part of an <see cref="AddressFilter"/>: <c>tcp://</c>, <c>udp://</c>, or none (any).</summary>
public enum AddressProtocol
{
    Any,
    Tcp,
    Udp,
}

/// <summary>
/// One entry of mirrord's address syntax, as its outgoing and DNS filters and our policy's
/// <c>outgoingDestinations</c> read it (mirrord-config <c>src/feature/network/filter.rs</c>, release 3.250):
/// <c>[protocol://]address[/prefix][:port]</c>, where the address is a host name, an IPv4 address or a
/// bracketed IPv6 one, any part may be left out (<c>:53</c>, <c>10.0.0.0/8</c>, <c>db.shop</c>), and
/// <c>0</c> stands for any: port 0 matches every port, the unspecified address every address. A name
/// matches every host name that contains it, as mirrord compares them (<c>shop.svc</c> matches
/// <c>orders.shop.svc.cluster.local</c>).
/// </summary>
public sealed record AddressFilter(AddressProtocol Protocol, string? Name, IPAddress? Address, int? PrefixLength, int Port)
{
    /// <summary>Reads one entry; <paramref name="problem"/> says what is wrong with it.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out AddressFilter? filter, [NotNullWhen(false)] out string? problem)
    {
        filter = null;
        var rest = text.Trim();
        var protocol = AddressProtocol.Any;
        var scheme = rest.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            switch (rest[..scheme].ToLowerInvariant())
            {
                case "any":
                    break;
                case "tcp":
                    protocol = AddressProtocol.Tcp;
                    break;
                case "udp":
                    protocol = AddressProtocol.Udp;
                    break;
                default:
                    problem = $"\"{text}\": the protocol must be tcp, udp or any";
                    return false;
            }

            rest = rest[(scheme + 3)..];
        }

        string host;
        if (rest.StartsWith('['))
        {
            var close = rest.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                problem = $"\"{text}\": an IPv6 address opened with [ is not closed";
                return false;
            }

            host = rest[1..close];
            rest = rest[(close + 1)..];
        }
        else
        {
            var end = rest.IndexOfAny(['/', ':']);
            host = end < 0 ? rest : rest[..end];
            rest = end < 0 ? string.Empty : rest[end..];
        }

        int? prefix = null;
        if (rest.StartsWith('/'))
        {
            var end = rest.IndexOf(':', StringComparison.Ordinal);
            var digits = end < 0 ? rest[1..] : rest[1..end];
            if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
            {
                problem = $"\"{text}\": the subnet prefix length \"{digits}\" is not a number";
                return false;
            }

            prefix = length;
            rest = end < 0 ? string.Empty : rest[end..];
        }

        var port = 0;
        if (rest.StartsWith(':'))
        {
            if (!int.TryParse(rest[1..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535)
            {
                problem = $"\"{text}\": the port \"{rest[1..]}\" is not a number from 0 to 65535";
                return false;
            }

            rest = string.Empty;
        }

        if (rest.Length > 0)
        {
            problem = $"\"{text}\": \"{rest}\" after the address is not understood";
            return false;
        }

        if (host.Length == 0 && prefix is not null)
        {
            problem = $"\"{text}\": a subnet needs its base address";
            return false;
        }

        if (host.Length == 0 && scheme < 0 && text.Trim().Length == 0)
        {
            problem = "an empty address";
            return false;
        }

        IPAddress? address = null;
        string? name = null;
        if (host.Length > 0)
        {
            if (IPAddress.TryParse(host, out var ip) && (host.Contains(':', StringComparison.Ordinal) || host.Count(c => c == '.') == 3))
            {
                address = ip;
            }
            else if (prefix is not null)
            {
                problem = $"\"{text}\": the base of a subnet must be an IP address";
                return false;
            }
            else if (host.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                name = host.ToLowerInvariant();
            }
            else
            {
                problem = $"\"{text}\": \"{host}\" is neither a host name nor an IP address";
                return false;
            }
        }

        var bits = address?.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        if (prefix > bits)
        {
            problem = $"\"{text}\": a prefix length of {prefix} is longer than the address ({bits} bits)";
            return false;
        }

        filter = new AddressFilter(protocol, name, address, prefix, port);
        problem = null;
        return true;
    }

    /// <summary>Whether a TCP (or UDP) connection to <paramref name="port"/> of <paramref name="host"/> (as asked) at <paramref name="address"/> (once resolved) matches.</summary>
    public bool Matches(AddressProtocol protocol, string? host, IPAddress? address, int port)
    {
        if (Protocol != AddressProtocol.Any && Protocol != protocol)
        {
            return false;
        }

        if (Port != 0 && Port != port)
        {
            return false;
        }

        if (Name is not null)
        {
            return host is not null && host.Contains(Name, StringComparison.OrdinalIgnoreCase);
        }

        if (Address is null || Address.Equals(IPAddress.Any) || Address.Equals(IPAddress.IPv6Any))
        {
            return true;
        }

        if (address is null)
        {
            return false;
        }

        var candidate = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return PrefixLength is { } length
            ? candidate.AddressFamily == Address.AddressFamily && InSubnet(candidate, length)
            : candidate.Equals(Address);
    }

    private bool InSubnet(IPAddress candidate, int length)
    {
        var network = Address!.GetAddressBytes();
        var bytes = candidate.GetAddressBytes();
        for (var bit = 0; bit < length; bit++)
        {
            var mask = (byte)(0x80 >> (bit % 8));
            if ((network[bit / 8] & mask) != (bytes[bit / 8] & mask))
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString()
    {
        var protocol = Protocol == AddressProtocol.Any ? string.Empty : $"{Protocol.ToString().ToLowerInvariant()}://";
        var host = Name ?? (Address is null ? string.Empty : Address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{Address}]" : Address.ToString());
        var prefix = PrefixLength is { } length ? $"/{length.ToString(CultureInfo.InvariantCulture)}" : string.Empty;
        return $"{protocol}{host}{prefix}:{Port.ToString(CultureInfo.InvariantCulture)}";
    }
}
