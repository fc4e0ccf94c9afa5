using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Mirrord.Demo;

/// <summary>
/// A Linux network namespace made with iproute2, and connections made from inside it: a thread
/// enters the namespace (setns) and creates the socket, which stays in that namespace for its life,
/// as a kubelet port-forward connects inside a pod.
/// </summary>
internal sealed partial class NetworkNamespace
{
    private const int NewNetworkNamespace = 0x40000000;

    public NetworkNamespace(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public async Task<Socket> ConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        // A socket belongs to the namespace it was created in, so only its creation needs the namespace's
        // thread; connecting is an ordinary async connect, which a cancellation really stops.
        var socket = await CreateSocketAsync(endPoint.AddressFamily);
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private Task<Socket> CreateSocketAsync(AddressFamily family)
    {
        var created = new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                using (var handle = File.OpenHandle($"/var/run/netns/{Name}"))
                {
                    if (SetNamespace((int)handle.DangerousGetHandle(), NewNetworkNamespace) != 0)
                    {
                        throw new IOException($"cannot enter network namespace {Name} (errno {Marshal.GetLastPInvokeError()})");
                    }
                }

                created.SetResult(new Socket(family, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true });
            }
            catch (Exception ex)
            {
                created.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = $"socket in {Name}",
        };
        thread.Start();
        return created.Task;
    }

    /// <summary>Creates the namespace (replacing one left over from an earlier run) with its loopback up.</summary>
    public static async Task<NetworkNamespace> CreateAsync(string name)
    {
        var ns = new NetworkNamespace(name);
        await ns.DeleteAsync();
        await IpAsync("netns", "add", name);
        await IpAsync("-n", name, "link", "set", "lo", "up");
        return ns;
    }

    /// <summary>Removes the namespace (and the veth ends in it); nothing to do when it is gone already.</summary>
    public async Task DeleteAsync()
    {
        await RunProcessAsync("ip", ["netns", "del", Name]);
        if (Directory.Exists(ConfigFolder))
        {
            Directory.Delete(ConfigFolder, recursive: true);
        }
    }

    /// <summary>
    /// Gives the namespace its own resolv.conf, as a pod has the one the kubelet writes: <c>ip netns exec</c> mounts
    /// <c>/etc/netns/NAME/resolv.conf</c> over <c>/etc/resolv.conf</c> for what it runs (ip-netns(8)).
    /// </summary>
    public async Task WriteResolvConfAsync(string text)
    {
        Directory.CreateDirectory(ConfigFolder);
        await File.WriteAllTextAsync(Path.Combine(ConfigFolder, "resolv.conf"), text);
    }

    private string ConfigFolder => Path.Combine("/etc/netns", Name);

    /// <summary>Runs a command inside the namespace; returns its exit code and output.</summary>
    public Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] command) => RunProcessAsync("ip", ["netns", "exec", Name, .. command]);

    /// <summary>Runs <c>ip</c> with these arguments; throws with its message when it fails.</summary>
    public static async Task IpAsync(params string[] args)
    {
        var (code, _, error) = await RunProcessAsync("ip", args);
        if (code != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', args)}: {error.Trim()}");
        }
    }

    private static async Task<(int, string, string)> RunProcessAsync(string program, string[] args)
    {
        var start = new ProcessStartInfo(program, args) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNamespace(int fd, int nstype);
}
