using System.Collections.Concurrent;
using k8s.Models;
using Mirrord.Cli.Local;
using Mirrord.Cli.Output;
using Mirrord.Incoming.Configuration;
using Mirrord.Tunnel;

namespace Mirrord.Cli.Kubernetes;

/// <summary>
/// One developer session across every ready replica of a target: registers it on each pod through
/// a port-forward, joins pods that become ready while connected and drops pods that go away.
/// A request that lands on any replica is filtered the same way.
/// </summary>
internal sealed class TargetSessions
{
    private readonly KubeContext _kube;
    private readonly TargetReference _target;
    private readonly IncomingConfig _config;
    private readonly string? _key;
    private readonly string _name;
    private readonly LocalServer _server;
    private readonly Reporter _reporter;
    private readonly ConcurrentDictionary<string, PodSession> _pods = new(StringComparer.Ordinal);

    // Sessions of pods that left: still ending (unregistering) when the command stops, which waits for them.
    private readonly ConcurrentBag<PodSession> _departed = [];
    private readonly TaskCompletionSource<int> _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PodEvents _events;
    private readonly Outgoing.PodConnections? _outgoing;

    public TargetSessions(KubeContext kube, TargetReference target, IncomingConfig config, string name, LocalServer server, Reporter reporter, Outgoing.PodConnections? outgoing = null, string? key = null)
    {
        _key = key;
        _outgoing = outgoing;
        _kube = kube;
        _target = target;
        _config = config;
        _name = name;
        _server = server;
        _reporter = reporter;
        _events = new PodEvents(kube, reporter);
    }

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        _reporter.Progress($"resolving {_target} in namespace {_kube.Namespace} (context {_kube.ContextName})");
        var selector = await TargetResolver.ResolveAsync(_kube, _target, cancellationToken);
        var watcher = new TargetPodWatcher(_kube, selector);
        var pods = await watcher.ListReadyAsync(cancellationToken);
        if (pods.Count == 0)
        {
            throw new KubernetesException(ExitCodes.TargetNotFound, $"{_target} has no ready pods in namespace {_kube.Namespace}");
        }

        var injected = pods.Where(pod => InjectionCheck.StatusOf(pod, out _) is not null).ToList();
        if (injected.Count == 0)
        {
            InjectionCheck.StatusOf(pods[0], out var problem);
            throw new KubernetesException(ExitCodes.NotInjected,
                $"{_target} in namespace {_kube.Namespace} has no mirrord sidecar (pod {pods[0].Name()}: {problem}); {InjectionCheck.HowToOptIn(_target, _kube.Namespace)}");
        }

        _reporter.Progress($"found {pods.Count} ready pod(s) of {_target}: {string.Join(", ", pods.Select(pod => pod.Name()))}");
        await PortForwardPermission.CheckAsync(_kube, [.. injected.Select(pod => pod.Name())], cancellationToken);
        watcher.Track(pods);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var first = pods.Select(pod => Join(pod, failFast: true, stopping.Token)).ToList();
        var following = watcher.FollowAsync(
            pod => { Join(pod, failFast: false, stopping.Token); return Task.CompletedTask; },
            (pod, why) => { Leave(pod, why); return Task.CompletedTask; },
            stopping.Token);

        var exitCode = await _failed.Task.WaitAsync(cancellationToken).ContinueWith(
            task => task.IsCompletedSuccessfully ? task.Result : ExitCodes.Success, TaskScheduler.Default);
        await stopping.CancelAsync();
        await following;
        var sessions = _pods.Values.Concat(_departed).ToList();
        await Task.WhenAll(sessions.Select(session => session.Run));
        foreach (var session in sessions)
        {
            session.Stopping.Dispose();
        }

        await _events.DrainAsync();
        return exitCode;
    }

    private Task Join(V1Pod pod, bool failFast, CancellationToken stopping)
    {
        var name = pod.Name();
        if (InjectionCheck.StatusOf(pod, out var problem) is null)
        {
            _reporter.Warning($"pod {name} has no mirrord sidecar ({problem}); its requests are not filtered: {InjectionCheck.HowToOptIn(_target, _kube.Namespace)}");
            return Task.CompletedTask;
        }

        if (!failFast)
        {
            _reporter.Progress($"pod {name} joined {_target}");
        }

        // A pod that comes back under the same name (a StatefulSet's) while its old session still runs: end that one first.
        Leave(name, "replaced");
        var podStopping = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var dial = PortForwardDialer.For(_kube, name, SidecarPorts.Session);
        var run = Task.Run(async () =>
        {
            var code = await SessionRunner.RunAsync(
                _config, _name, name, dial, _server, _reporter, podStopping.Token, failFast, _kube.Owner, (reason, message) => _events.Record(name, reason, message), _outgoing, _key);
            if (code != ExitCodes.Success && !podStopping.IsCancellationRequested)
            {
                _failed.TrySetResult(code);
            }
        }, CancellationToken.None);
        _pods[name] = new PodSession(podStopping, run);
        return run;
    }

    private void Leave(string pod, string why)
    {
        if (_pods.TryRemove(pod, out var session))
        {
            _reporter.Progress($"pod {pod} left {_target} ({why}); its tunnel is closed");
            session.Stopping.Cancel();
            _departed.Add(session);
        }
    }

    private sealed record PodSession(CancellationTokenSource Stopping, Task Run);
}
