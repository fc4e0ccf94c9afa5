using Mirrord.Tunnel.Client;

namespace Mirrord.Demo;

/// <summary>Where the demo's pod runs: its app behind the sidecar, a way to call it as the cluster does, and its session endpoint.</summary>
internal interface IDemoPod : IAsyncDisposable
{
    /// <summary>Lines that say what was built.</summary>
    IReadOnlyList<string> Description { get; }

    /// <summary>The container port the app serves (what the session's filter names).</summary>
    int ContainerPort { get; }

    /// <summary>Sends a request to the app's port as a caller in the cluster would.</summary>
    HttpClient Client { get; }

    Uri AppUrl { get; }

    /// <summary>Dials the sidecar's session endpoint, as a port-forward does.</summary>
    SessionDialer Dial { get; }
}
