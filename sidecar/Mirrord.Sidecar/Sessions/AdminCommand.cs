using System.Net.Sockets;
using Mirrord.Tunnel;
using Mirrord.Tunnel.Protocol;

namespace Mirrord.Sidecar.Sessions;

/// <summary>
/// <c>mirrord-sidecar sessions kill ID|--all [--by WHO]</c>: run inside the sidecar's container (what
/// <c>mirrord-cli sessions kill</c> does through the exec API), ends sessions through the
/// administration socket. Prints <c>ended ID</c> per session; exit 0, 4 for an unknown session, 1 otherwise.
/// </summary>
internal static class AdminCommand
{
    public const int UnknownSession = 4;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (args is not ["kill", var what, .. var rest] || (rest.Length != 0 && rest is not ["--by", _]))
        {
            error.WriteLine("usage: mirrord-sidecar sessions kill ID|--all [--by WHO]");
            return 1;
        }

        var by = new SessionOwner(null, null, rest.Length == 2 ? rest[1] : Environment.UserName);
        var path = Environment.GetEnvironmentVariable(SidecarEnvironment.AdminSocket) is { Length: > 0 } configured ? configured : SidecarEnvironment.AdminSocketPath;
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            await SessionFrames.WriteAsync(stream, new KillMessage(what == "--all" ? null : what, by), CancellationToken.None);
            switch (await SessionFrames.ReadAsync(stream, CancellationToken.None))
            {
                case KilledMessage killed:
                    foreach (var id in killed.SessionIds)
                    {
                        output.WriteLine($"ended {id}");
                    }

                    return 0;
                case ErrorMessage { Code: SessionErrorCodes.UnknownSession } unknown:
                    error.WriteLine(unknown.Message);
                    return UnknownSession;
                case var other:
                    error.WriteLine($"the sidecar answered {(other as ErrorMessage)?.Message ?? other?.GetType().Name ?? "nothing"}");
                    return 1;
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or InvalidDataException)
        {
            error.WriteLine($"cannot reach the sidecar's administration socket {path}: {ex.Message}");
            return 1;
        }
    }
}
