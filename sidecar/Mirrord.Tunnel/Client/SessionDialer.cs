namespace Mirrord.Tunnel.Client;

/// <summary>Opens a new byte stream to a sidecar's session endpoint: a TCP connection, or a Kubernetes port-forward.</summary>
public delegate ValueTask<Stream> SessionDialer(CancellationToken cancellationToken);
