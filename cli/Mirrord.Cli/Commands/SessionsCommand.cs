using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using k8s;
using k8s.Models;
using Mirrord.Cli.Kubernetes;
using Mirrord.Tunnel;
using Mirrord.Tunnel.Client;
using Mirrord.Tunnel.Protocol;

namespace Mirrord.Cli.Commands;

/// <summary>
/// <c>sessions</c>: every developer session on every injected pod of a namespace (or of one target),
/// with its owner (self-declared), filter, age and counters, read over a port-forward (the power that
/// opens a session). <c>sessions kill ID</c> or <c>--all</c> ends them, and the developers' <c>connect</c>
/// says an administrator did: that runs the sidecar's own command in its container through the exec
/// API, so it takes RBAC on pods/exec, which Kubernetes reserves for operators and audits itself; a
/// port-forward alone cannot end another developer's session.
/// </summary>
internal static class SessionsCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var target = Options.Target();
        var @namespace = Options.Namespace();
        var context = Options.Context();
        var kubeconfig = Options.Kubeconfig();
        var format = Options.OutputFormat();
        var command = new Command("sessions", "List the developer sessions on a namespace's injected pods; 'sessions kill' ends them")
        {
            target, @namespace, context, kubeconfig, format,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            output, error, parse.GetValue(kubeconfig), parse.GetValue(context), parse.GetValue(@namespace), parse.GetValue(target), async (kube, pods) =>
            {
                var json = parse.GetRequiredValue(format) == "json";
                // Every pod at once (a port-forward each), printed in pod order.
                var listed = await Task.WhenAll(pods.Select(pod => SessionClient.ListAsync(PortForwardDialer.For(kube, pod.Name(), SidecarPorts.Session), cancellationToken)));
                for (var i = 0; i < pods.Count; i++)
                {
                    foreach (var session in listed[i])
                    {
                        Write(output, json, pods[i].Name(), session);
                    }
                }

                return ExitCodes.Success;
            }, cancellationToken));

        var id = new Argument<string?>("ID") { Description = "The session to end (as 'sessions' lists it)", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = "End every session on the pods" };
        var kill = new Command("kill", "End a session (or --all) on the namespace's injected pods; its developer is told an administrator did")
        {
            id, all, target, @namespace, context, kubeconfig,
        };
        kill.SetAction((parse, cancellationToken) =>
        {
            var sessionId = parse.GetValue(id);
            if ((sessionId is null) == !parse.GetValue(all))
            {
                error.WriteLine("error: say which session: an ID from 'mirrord-cli sessions', or --all");
                return Task.FromResult(ExitCodes.UsageError);
            }

            return RunAsync(output, error, parse.GetValue(kubeconfig), parse.GetValue(context), parse.GetValue(@namespace), parse.GetValue(target), async (kube, pods) =>
            {
                var ended = 0;
                var killedByPod = await Task.WhenAll(pods.Select(pod => KillOnPodAsync(kube, pod.Name(), sessionId, cancellationToken)));
                for (var i = 0; i < pods.Count; i++)
                {
                    foreach (var killed in killedByPod[i])
                    {
                        output.WriteLine($"ended session {killed} on pod {pods[i].Name()}");
                        ended++;
                    }
                }

                if (sessionId is not null && ended == 0)
                {
                    error.WriteLine($"error: no session {sessionId} on the injected pods of namespace {kube.Namespace}");
                    return ExitCodes.TargetNotFound;
                }

                if (ended == 0)
                {
                    output.WriteLine($"no sessions on the injected pods of namespace {kube.Namespace}");
                }

                return ExitCodes.Success;
            }, cancellationToken);
        });
        command.Subcommands.Add(kill);
        return command;
    }

    /// <summary>Ends the session (or all) on one pod by running <c>mirrord-sidecar sessions kill</c> in its sidecar's container.</summary>
    private static async Task<IReadOnlyList<string>> KillOnPodAsync(KubeContext kube, string pod, string? sessionId, CancellationToken cancellationToken)
    {
        PodExec.Result result;
        try
        {
            result = await PodExec.RunAsync(
                kube, pod, Injection.PodAnnotations.SidecarContainer,
                [SidecarEnvironment.Executable, "sessions", "kill", sessionId ?? "--all", "--by", kube.Owner.ToString()], cancellationToken);
        }
        catch (UpgradeRefusedException ex) when (ex.Status == System.Net.HttpStatusCode.Forbidden)
        {
            throw new Kubernetes.KubernetesException(ExitCodes.KubernetesUnavailable,
                $"your account may not exec into pod {pod}'s {Injection.PodAnnotations.SidecarContainer} container in namespace {kube.Namespace} ({ex.StatusMessage ?? "403"}); " +
                "ending sessions runs the sidecar's own command there, which needs pods/exec (a WebSocket exec is a GET: get, and from Kubernetes 1.35 create as well). " +
                $"Check with: kubectl auth can-i get pods/exec -n {kube.Namespace} && kubectl auth can-i create pods/exec -n {kube.Namespace}");
        }
        catch (UpgradeRefusedException ex)
        {
            throw new IOException($"pod {pod}: the exec was refused: {ex.Message}");
        }

        return result.ExitCode switch
        {
            0 => [.. result.Output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Where(line => line.StartsWith("ended ", StringComparison.Ordinal)).Select(line => line["ended ".Length..])],

            // The session is on another pod.
            4 => [],
            _ => throw new IOException($"pod {pod}: mirrord-sidecar sessions kill exited {result.ExitCode}: {result.Error.Trim()}"),
        };
    }

    private static async Task<int> RunAsync(
        TextWriter output, TextWriter error, string? kubeconfig, string? context, string? ns, string? targetText,
        Func<KubeContext, IReadOnlyList<V1Pod>, Task<int>> act, CancellationToken cancellationToken)
    {
        KubeContext? created = null;
        try
        {
            using var kube = created = KubeContext.Create(kubeconfig, context, ns, null);
            IReadOnlyList<V1Pod> pods;
            if (targetText is null)
            {
                var list = await kube.Client.CoreV1.ListNamespacedPodAsync(kube.Namespace, cancellationToken: cancellationToken);
                pods = [.. list.Items.OrderBy(p => p.Name(), StringComparer.Ordinal)];
            }
            else if (TargetReference.TryParse(targetText, out var reference, out var problem))
            {
                pods = await new TargetPodWatcher(kube, await TargetResolver.ResolveAsync(kube, reference, cancellationToken)).ListAllAsync(cancellationToken);
            }
            else
            {
                error.WriteLine($"error: --target: {problem}");
                return ExitCodes.UsageError;
            }

            var injected = pods.Where(pod => TargetPodWatcher.IsReady(pod) && InjectionCheck.StatusOf(pod, out _) is not null).ToList();
            if (injected.Count == 0)
            {
                output.WriteLine($"no ready injected pods in namespace {kube.Namespace}{(targetText is null ? string.Empty : $" for {targetText}")}");
                return ExitCodes.Success;
            }

            return await act(kube, injected);
        }
        catch (Kubernetes.KubernetesException ex)
        {
            error.WriteLine($"error: {ex.Message}");
            return ex.ExitCode;
        }
        catch (k8s.Autorest.HttpOperationException ex)
        {
            var failure = KubeErrors.From(ex, "listing pods");
            error.WriteLine($"error: {failure.Message}");
            return failure.ExitCode;
        }
        catch (HttpRequestException ex)
        {
            // As connect says it: the API server is the problem, not a sidecar.
            error.WriteLine($"error: cannot reach the API server{(created is null ? string.Empty : $" of context {created.ContextName}")}: {ex.Message}");
            return ExitCodes.KubernetesUnavailable;
        }
        catch (Exception ex) when (ex is IOException or SocketException or SessionRejectedException)
        {
            error.WriteLine($"error: cannot reach a sidecar: {ex.Message}");
            return ExitCodes.SidecarUnreachable;
        }
    }

    private static void Write(TextWriter output, bool json, string pod, SessionSummary session)
    {
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                pod,
                id = session.SessionId,
                name = session.Name,
                key = session.Key,
                owner = session.Owner is { } o ? new { kubeUser = o.KubeUser, context = o.Context, localUser = o.LocalUser, selfDeclared = true } : null,
                incoming = session.Incoming,
                startedAt = session.StartedAt,
                stolen = session.Stolen,
                mirrored = session.Mirrored,
                tunnels = session.Tunnels,
            }));
            return;
        }

        var age = DateTimeOffset.UtcNow - session.StartedAt;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pod {pod}  session {session.SessionId}  {session.Name}  key {session.Key ?? "(none)"}  owner {session.Owner?.ToString() ?? "(not declared)"}  {StatusCommand.Describe(session.Incoming)}  " +
            $"age {(int)age.TotalMinutes} min  {session.Stolen} stolen, {session.Mirrored} mirrored, {session.Tunnels} tunnel(s)"));
    }
}
