using Microsoft.Extensions.Options;

namespace Mirrord.Sidecar.Hosting;

/// <summary>Refuses to start with settings that would misroute traffic; each message names the setting and the bad value.</summary>
internal sealed class SidecarOptionsValidator : IValidateOptions<SidecarOptions>
{
    public ValidateOptionsResult Validate(string? name, SidecarOptions options)
    {
        var errors = new List<string>();
        foreach (var (setting, port) in new[] { ("InboundPort", options.InboundPort), ("SessionPort", options.SessionPort), ("HealthPort", options.HealthPort) })
        {
            if (port is < 1 or > 65535)
            {
                errors.Add($"Sidecar:{setting} must be a port from 1 to 65535; got {port}");
            }
        }

        if (!PortListText.TryParsePorts(options.InterceptedPorts, out _))
        {
            errors.Add($"Sidecar:InterceptedPorts must be comma-separated ports such as \"8080,9090\"; got \"{options.InterceptedPorts}\"");
        }

        if (!PortListText.TryParseListeners(options.DirectListeners, out _, out var badEntry))
        {
            errors.Add($"Sidecar:DirectListeners entries must look like \"18080=8080\"; got \"{badEntry}\"");
        }

        if (!System.Net.IPAddress.TryParse(options.AppAddress, out _))
        {
            errors.Add($"Sidecar:AppAddress must be an IP address; got \"{options.AppAddress}\"");
        }

        foreach (var (setting, value) in new[] { ("StolenRequestsPerSession", options.StolenRequestsPerSession), ("MirroredCopiesPerSecond", options.MirroredCopiesPerSecond) })
        {
            if (value < 1)
            {
                errors.Add($"Sidecar:{setting} must be at least 1; got {value}");
            }
        }

        errors.AddRange(options.Limits.Validate("Sidecar:Limits"));
        if (options.DrainTimeout < TimeSpan.Zero)
        {
            errors.Add($"Sidecar:DrainTimeout must be 0 or a positive time such as 00:00:25; got {options.DrainTimeout}");
        }

        if (options.DefaultIncoming.Length > 0)
        {
            var parsed = Mirrord.Incoming.Configuration.IncomingConfigParser.ParseIncoming(options.DefaultIncoming);
            errors.AddRange(parsed.Errors.Select(error => $"Sidecar:DefaultIncoming (the pod's mirrord.dev/config): {error}"));
        }

        if (!Tunnel.Probes.AppProbeList.TryParse(options.Probes, out _, out var probeProblem))
        {
            errors.Add($"Sidecar:Probes (the pod's probes, as the webhook wrote them): {probeProblem}");
        }

        errors.AddRange(ValidateTls(options));
        if (options.Policy.Length > 0)
        {
            errors.AddRange(Mirrord.Incoming.Guardrails.SessionPolicyParser.Parse(options.Policy, "Sidecar:Policy").Errors);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static IEnumerable<string> ValidateTls(SidecarOptions options)
    {
        var tls = options.Tls;
        if (!PortListText.TryParsePorts(tls.Ports, out var ports))
        {
            yield return $"Sidecar:Tls:Ports must be comma-separated ports such as \"8443\"; got \"{tls.Ports}\"";
            yield break;
        }

        if (ports.Count > 0 && tls.CertificateDirectory.Length == 0)
        {
            yield return "Sidecar:Tls:CertificateDirectory must name the folder of the app's certificate (tls.crt, tls.key) when Sidecar:Tls:Ports is set";
        }

        var served = options.InterceptedPortList.Concat(options.DirectListenerList.Select(listener => listener.ContainerPort)).ToHashSet();
        foreach (var port in ports.Where(port => !served.Contains(port)))
        {
            yield return $"Sidecar:Tls:Ports: {port} is not an intercepted port (Sidecar:InterceptedPorts), so no connection to it reaches the sidecar";
        }

        foreach (var (setting, value) in new[] { ("ReloadInterval", tls.ReloadInterval), ("HandshakeTimeout", tls.HandshakeTimeout) })
        {
            if (value <= TimeSpan.Zero)
            {
                yield return $"Sidecar:Tls:{setting} must be a positive time such as 00:00:10; got {value}";
            }
        }
    }
}
