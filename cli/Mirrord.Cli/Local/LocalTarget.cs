using Mirrord.Incoming.Configuration;

namespace Mirrord.Cli.Local;

/// <summary>Where on the laptop traffic for a container port goes: <c>port_mapping</c> first, then <c>--local-port</c>, else the same port.</summary>
internal sealed class LocalTarget
{
    private readonly IncomingConfig _config;
    private readonly int? _localPort;

    public LocalTarget(IncomingConfig config, int? localPort, string address = "127.0.0.1")
    {
        _config = config;
        _localPort = localPort;
        Address = address;
    }

    public string Address { get; }

    public int PortFor(int containerPort)
    {
        var mapped = _config.LocalPortFor(containerPort);
        return mapped != containerPort ? mapped : _localPort ?? containerPort;
    }
}
