using System.Globalization;
using Mirrord.Incoming.Outgoing;

namespace Mirrord.Cli.Outgoing;

/// <summary>What <c>exec</c> runs beside the sessions: the proxy and the forwards, and the environment that points the command at them.</summary>
internal sealed class OutgoingAccess(PodConnections pods, ProxyServer proxy, OutgoingConfig config) : IAsyncDisposable
{
    private static readonly string[] s_loopback = ["localhost", "127.0.0.1", "::1"];

    public PodConnections Pods { get; } = pods;

    public ProxyServer Proxy { get; } = proxy;

    public List<LocalForward> Forwards { get; } = [];

    /// <summary>
    /// The proxy variables, upper- and lower-case (curl reads only <c>http_proxy</c> in lower case; .NET, Go and Python
    /// read either). <c>ALL_PROXY</c> is SOCKS5 with names resolved by the proxy (<c>socks5h</c>), so the pod's DNS
    /// answers; <c>NO_PROXY</c> keeps the laptop's own loopback and what <c>feature.network.outgoing</c> keeps local.
    /// </summary>
    public IReadOnlyDictionary<string, string?> Environment
    {
        get
        {
            var port = Proxy.EndPoint.Port.ToString(CultureInfo.InvariantCulture);
            var noProxy = string.Join(",", s_loopback.Concat(LocalNames()));
            var variables = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var (name, value) in new[]
            {
                ("ALL_PROXY", $"socks5h://127.0.0.1:{port}"),
                ("HTTP_PROXY", $"http://127.0.0.1:{port}"),
                ("HTTPS_PROXY", $"http://127.0.0.1:{port}"),
                ("NO_PROXY", noProxy),
            })
            {
                variables[name] = value;
                variables[name.ToLowerInvariant()] = value;
            }

            return variables;
        }
    }

    /// <summary>Names and networks <c>feature.network.outgoing.filter.local</c> lists without a port, as NO_PROXY can say them.</summary>
    private IEnumerable<string> LocalNames()
        => (config.LocalOnly ?? []).Where(filter => filter.Port == 0)
            .Select(filter => filter.Name ?? (filter.Address is null ? null : filter.PrefixLength is { } length ? $"{filter.Address}/{length}" : filter.Address.ToString()))
            .OfType<string>();

    public async ValueTask DisposeAsync()
    {
        foreach (var forward in Forwards)
        {
            await forward.DisposeAsync();
        }

        await Proxy.DisposeAsync();
    }
}
