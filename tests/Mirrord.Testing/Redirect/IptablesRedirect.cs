using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Mirrord.Testing.Redirect;

/// <summary>
/// Real iptables REDIRECT rules, as <c>mirrord-init</c> installs them in a pod, scoped to connections
/// from <see cref="ClientAddress"/> so that only the test's clients are redirected: the sidecar's own
/// connections to the container come from 127.0.0.1 and go straight through, as the owner match
/// lets them in a pod. Rules are removed on dispose.
/// </summary>
public sealed class IptablesRedirect : IAsyncDisposable
{
    /// <summary>The loopback source address test clients bind to; only it is redirected.</summary>
    public static readonly IPAddress ClientAddress = IPAddress.Parse("127.0.0.3");

    private const string Comment = "mirrord-tests";
    private readonly List<string[]> _rules = [];

    private IptablesRedirect()
    {
    }

    /// <summary>Why rules cannot be installed here (not root, no iptables), or null when they can.</summary>
    public static string? Unavailable() => Demo.NamespacePod.Unavailable() is { } reason ? $"{reason} (.ci/run installs iptables and iproute2 and runs as root)" : null;

    /// <summary>Redirects TCP from <see cref="ClientAddress"/> to 127.0.0.1:<c>port</c> to <paramref name="inboundPort"/>, for each port.</summary>
    public static async Task<IptablesRedirect> InstallAsync(IEnumerable<int> ports, int inboundPort)
    {
        var redirect = new IptablesRedirect();
        try
        {
            foreach (var port in ports)
            {
                string[] rule =
                [
                    "OUTPUT", "-p", "tcp", "-s", ClientAddress.ToString(), "-d", "127.0.0.1", "--dport", Invariant(port),
                    "-m", "comment", "--comment", Comment, "-j", "REDIRECT", "--to-ports", Invariant(inboundPort),
                ];
                await RunAsync(["-w", "-t", "nat", "-A", .. rule]);
                redirect._rules.Add(rule);
            }

            return redirect;
        }
        catch
        {
            await redirect.DisposeAsync();
            throw;
        }
    }

    /// <summary>A handler whose connections leave from <see cref="ClientAddress"/>, so they are redirected.</summary>
    public static SocketsHttpHandler RedirectedHandler() => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = Connect();
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    /// <summary>A TCP socket bound to <see cref="ClientAddress"/>, not yet connected.</summary>
    public static System.Net.Sockets.Socket Connect()
    {
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp)
        {
            NoDelay = true,
        };
        socket.Bind(new IPEndPoint(ClientAddress, 0));
        return socket;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var rule in _rules)
        {
            await RunAsync(["-w", "-t", "nat", "-D", .. rule]);
        }

        _rules.Clear();
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string? FindIptables()
        => new[] { "/usr/sbin/iptables", "/sbin/iptables", "/usr/bin/iptables" }.FirstOrDefault(File.Exists);

    private static async Task RunAsync(string[] arguments)
    {
        var start = new ProcessStartInfo(FindIptables() ?? "iptables", arguments)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"iptables {string.Join(' ', arguments)} failed ({process.ExitCode}): {error}");
        }
    }
}
