namespace Mirrord.Incoming.Configuration;

/// <summary>
/// One <c>port_mapping</c> entry. mirrord writes these as <c>[local, remote]</c>: traffic for the
/// container's <paramref name="Remote"/> port is delivered to <paramref name="Local"/> on the laptop.
/// </summary>
public readonly record struct PortMapping(int Local, int Remote);
