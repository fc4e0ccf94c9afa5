using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Mirrord.Cli.Demo;

/// <summary>
/// A Linux network namespace made with iproute2, and connections made from inside it: a thread
/// enters the namespace (setns), creates and connects the socket, and leaves; the socket stays in
/// that namespace for its life, as a kubelet port-forward connects inside a pod.
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
        var connected = new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously);
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

                var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Connect(endPoint);
                    connected.TrySetResult(socket);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            }
            catch (Exception ex)
            {
                connected.TrySetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = $"connect in {Name}",
        };
        thread.Start();
        return await connected.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Runs <c>ip</c> with these arguments; throws with its message when it fails.</summary>
    public static async Task IpAsync(params string[] args)
    {
        var start = new ProcessStartInfo("ip", args) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', args)}: {error.Trim()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNamespace(int fd, int nstype);
}
