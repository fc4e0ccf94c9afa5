using System.CommandLine;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;
using Mirrord.Cli.Kubernetes;
using Mirrord.Cli.Local;
using Mirrord.Incoming.Configuration;
using Mirrord.Injection;
using Mirrord.Injection.Rules;
using Mirrord.Tunnel;
using Mirrord.Tunnel.Client;
using Mirrord.Tunnel.Probes;
using Mirrord.Tunnel.Protocol;

namespace Mirrord.Cli.Commands;

/// <summary>
/// <c>status</c>: for each pod of the target, what the webhook injected (sidecar version, ports,
/// redirect) and the sessions its sidecar holds, with their filters and counters. Read-only.
/// </summary>
internal static class StatusCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var target = Options.Target();
        var @namespace = Options.Namespace();
        var context = Options.Context();
        var kubeconfig = Options.Kubeconfig();
        var sidecarAddress = Options.SidecarAddress();
        var format = Options.OutputFormat();
        var command = new Command("status", "Show each pod's sidecar and the sessions it holds")
        {
            target, @namespace, context, kubeconfig, sidecarAddress, format,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            var json = parse.GetRequiredValue(format) == "json";
            try
            {
                if (parse.GetValue(sidecarAddress) is { } address)
                {
                    if (!DirectDialer.TryParse(address, out var dial))
                    {
                        error.WriteLine($"error: --sidecar-address \"{address}\" must be host:port");
                        return ExitCodes.UsageError;
                    }

                    var sessions = await SessionClient.ListAsync(dial, cancellationToken);
                    Write(output, json, new PodStatus(address, true, null, null, sessions));
                    return ExitCodes.Success;
                }

                if (parse.GetValue(target) is not { } targetText)
                {
                    error.WriteLine("error: say what to look at: --target KIND/NAME, or --sidecar-address HOST:PORT");
                    return ExitCodes.UsageError;
                }

                if (!TargetReference.TryParse(targetText, out var reference, out var problem))
                {
                    error.WriteLine($"error: --target: {problem}");
                    return ExitCodes.UsageError;
                }

                using var kube = KubeContext.Create(parse.GetValue(kubeconfig), parse.GetValue(context), parse.GetValue(@namespace), null);
                var selector = await TargetResolver.ResolveAsync(kube, reference, cancellationToken);
                var pods = await new TargetPodWatcher(kube, selector).ListAllAsync(cancellationToken);
                if (pods.Count == 0)
                {
                    error.WriteLine($"error: {reference} has no pods in namespace {kube.Namespace}");
                    return ExitCodes.TargetNotFound;
                }

                foreach (var pod in pods)
                {
                    Write(output, json, await ReadAsync(kube, pod, cancellationToken));
                }

                return ExitCodes.Success;
            }
            catch (KubernetesException ex)
            {
                error.WriteLine($"error: {ex.Message}");
                return ex.ExitCode;
            }
            catch (Exception ex) when (ex is IOException or SocketException or SessionRejectedException)
            {
                error.WriteLine($"error: cannot read the sidecar's sessions: {ex.Message}");
                return ExitCodes.SidecarUnreachable;
            }
        });

        return command;
    }

    private static async Task<PodStatus> ReadAsync(KubeContext kube, V1Pod pod, CancellationToken cancellationToken)
    {
        var ready = TargetPodWatcher.IsReady(pod);
        if (InjectionCheck.StatusOf(pod, out var problem) is not { } injection)
        {
            return new PodStatus(pod.Name(), ready, null, problem, null);
        }

        var probes = ProbesOf(pod, injection);
        if (!ready)
        {
            return new PodStatus(pod.Name(), ready, injection, "not ready", null) { Probes = probes };
        }

        try
        {
            var sessions = await SessionClient.ListAsync(PortForwardDialer.For(kube, pod.Name(), SidecarPorts.Session), cancellationToken);
            return new PodStatus(pod.Name(), ready, injection, null, sessions) { Probes = probes };
        }
        catch (Exception ex) when (ex is IOException or SessionRejectedException or InvalidDataException)
        {
            return new PodStatus(pod.Name(), ready, injection, $"sidecar unreachable: {ex.Message}", null) { Probes = probes };
        }
    }

    private static void Write(TextWriter output, bool json, PodStatus status)
    {
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                pod = status.Pod,
                ready = status.Ready,
                sidecar = status.Injection is { } i ? new { version = i.Version, ports = i.Ports, redirect = i.Redirect } : null,
                probesKeptOnTheApp = status.Probes.Select(p => p.Describe()),
                problem = status.Problem,
                sessions = status.Sessions?.Select(s => new
                {
                    id = s.SessionId,
                    name = s.Name,
                    key = s.Key,
                    owner = s.Owner is { } o ? new { kubeUser = o.KubeUser, context = o.Context, localUser = o.LocalUser, selfDeclared = true } : null,
                    incoming = s.Incoming,
                    startedAt = s.StartedAt,
                    stolen = s.Stolen,
                    mirrored = s.Mirrored,
                    tunnels = s.Tunnels,
                }),
            }));
            return;
        }

        var sidecar = status.Injection is { } injected
            ? $"sidecar {injected.Version}, ports {string.Join(", ", injected.Ports)}, redirect {injected.DescribeRedirect()}"
            : status.Sessions is null ? "no mirrord sidecar" : "sidecar";
        output.WriteLine($"pod {status.Pod} ({(status.Ready ? "ready" : "not ready")}): {sidecar}{(status.Problem is null ? string.Empty : $" [{status.Problem}]")}");
        if (status.Probes.Count > 0)
        {
            output.WriteLine($"  probes that reach the app whatever a session says: {string.Join("; ", status.Probes.Select(p => p.Describe()))}");
        }

        if (status.Sessions is { Count: 0 })
        {
            output.WriteLine("  no sessions: all traffic goes to the container");
        }

        foreach (var session in status.Sessions ?? [])
        {
            output.WriteLine(
                $"  session {session.SessionId} {session.Name} (key {session.Key ?? "(none)"}, owner {session.Owner?.ToString() ?? "(not declared)"}): {Describe(session.Incoming)}; since {session.StartedAt.ToLocalTime():HH:mm:ss}; " +
                $"{session.Stolen} stolen, {session.Mirrored} mirrored, {session.Tunnels} tunnel(s)");
        }
    }

    internal static string Describe(JsonElement incoming)
    {
        var parsed = IncomingConfigParser.ParseIncoming(incoming.GetRawText());
        if (parsed.Config is not { } config)
        {
            return incoming.GetRawText();
        }

        var filter = config.HttpFilter is { } http ? $"{http.Rule.Describe()} on ports {string.Join(", ", http.Ports)}" : "no filter";
        return $"{config.Mode.ToString().ToLowerInvariant()}, {filter}";
    }

    private sealed record PodStatus(string Pod, bool Ready, InjectionStatus? Injection, string? Problem, IReadOnlyList<SessionSummary>? Sessions)
    {
        /// <summary>The pod's probes on intercepted ports: whatever a session says, they reach the app.</summary>
        public IReadOnlyList<AppProbe> Probes { get; init; } = [];
    }

    private static IReadOnlyList<AppProbe> ProbesOf(V1Pod pod, InjectionStatus injection)
        => JsonNode.Parse(k8s.KubernetesJson.Serialize(pod)) is JsonObject json ? PodProbes.Of(json, injection.Ports) : [];
}
