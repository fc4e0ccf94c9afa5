using Mirrord.Incoming.Configuration;

namespace Mirrord.Cli.Local;

/// <summary>Where on the laptop traffic for a container port goes: <c>port_mapping</c> first, then <c>--local-port</c>, else the same port.</summary>
internal sealed class LocalTarget
{
    private readonly IncomingConfig _config;
    private readonly int? _localPort;

    public LocalTarget(IncomingConfig config, int? localPort, string address = "127.0.0.1", LocalTlsClient? tls = null)
    {
        _config = config;
        _localPort = localPort;
        Address = address;
        Tls = tls;
    }

    public string Address { get; }

    /// <summary>The client for requests that reached the pod over TLS, unless <c>tls_delivery</c> asks for clear HTTP.</summary>
    public LocalTlsClient? Tls { get; }

    public int PortFor(int containerPort)
    {
        var mapped = _config.LocalPortFor(containerPort);
        return mapped != containerPort ? mapped : _localPort ?? containerPort;
    }
}
