using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Mirrord.Cli.Kubernetes;

/// <summary>
/// Follows a target's ready pods: lists them, then watches from the list's resourceVersion, and
/// reports each pod that becomes ready (<c>joined</c>) or stops being ready or is deleted
/// (<c>left</c>). A watch the server ends (its timeout) resumes from the last resourceVersion seen,
/// bookmarks included; a broken one, or one whose resourceVersion expired (the 410 ERROR event an
/// API server sends after a restart or compaction, which the client library hands to the error
/// callback rather than the loop), is resumed by listing again and reporting the difference, after
/// a back-off that grows while the server keeps failing.
/// </summary>
internal sealed class TargetPodWatcher
{
    private readonly KubeContext _kube;
    private readonly PodSelector _selector;
    private readonly TimeProvider _time;
    private readonly HashSet<string> _ready = new(StringComparer.Ordinal);
    private string? _resourceVersion;

    public TargetPodWatcher(KubeContext kube, PodSelector selector, TimeProvider? time = null)
    {
        _kube = kube;
        _selector = selector;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The first wait after a failure; it doubles up to <see cref="MaxBackOff"/>.</summary>
    public static TimeSpan FirstBackOff { get; } = TimeSpan.FromSeconds(1);

    public static TimeSpan MaxBackOff { get; } = TimeSpan.FromSeconds(15);

    /// <summary>The ready pods now; also the starting point of <see cref="FollowAsync"/>.</summary>
    public async Task<IReadOnlyList<V1Pod>> ListReadyAsync(CancellationToken cancellationToken)
        => [.. (await ListAllAsync(cancellationToken)).Where(IsReady)];

    /// <summary>Every pod of the target, ready or not, by name.</summary>
    public async Task<IReadOnlyList<V1Pod>> ListAllAsync(CancellationToken cancellationToken)
    {
        V1PodList list;
        try
        {
            list = await _kube.Client.CoreV1.ListNamespacedPodAsync(
                _kube.Namespace, labelSelector: _selector.LabelSelector, fieldSelector: _selector.FieldSelector, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException ex)
        {
            throw KubeErrors.From(ex, $"listing pods in namespace {_kube.Namespace}");
        }

        _resourceVersion = list.Metadata?.ResourceVersion;
        return [.. list.Items.OrderBy(pod => pod.Name(), StringComparer.Ordinal)];
    }

    /// <summary>Marks the pods the caller has taken on (from <see cref="ListReadyAsync"/>).</summary>
    public void Track(IEnumerable<V1Pod> pods)
    {
        foreach (var pod in pods)
        {
            _ready.Add(pod.Name());
        }
    }

    public async Task FollowAsync(Func<V1Pod, Task> joined, Func<string, string, Task> left, CancellationToken cancellationToken)
    {
        var delay = FirstBackOff;
        while (!cancellationToken.IsCancellationRequested)
        {
            var healthy = false;
            try
            {
                healthy = await WatchOnceAsync(joined, left, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpOperationException or HttpRequestException or IOException or KubernetesException)
            {
                // A broken watch (the API server went away) resumes from a fresh list.
                _resourceVersion = null;
            }

            if (healthy)
            {
                delay = FirstBackOff;
            }
            else
            {
                await Task.Delay(delay, _time, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxBackOff.Ticks));
            }

            if (_resourceVersion is null && !cancellationToken.IsCancellationRequested)
            {
                await ResyncAsync(joined, left, cancellationToken);
            }
        }
    }

    /// <returns>Whether the watch did well: it delivered events, or ran a while and the server ended it without an error.</returns>
    private async Task<bool> WatchOnceAsync(Func<V1Pod, Task> joined, Func<string, string, Task> left, CancellationToken cancellationToken)
    {
        var expired = false;
        var delivered = false;
        var started = _time.GetTimestamp();
        var events = _kube.Client.CoreV1.WatchListNamespacedPodAsync(
            _kube.Namespace,
            labelSelector: _selector.LabelSelector,
            fieldSelector: _selector.FieldSelector,
            resourceVersion: _resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds: 300,
            // A Status in the stream (410 Expired above all) or an event that cannot be read: either way, list afresh.
            onError: _ => expired = true,
            cancellationToken: cancellationToken);
        await foreach (var (type, pod) in events.WithCancellation(cancellationToken))
        {
            delivered = true;
            if (type == WatchEventType.Error)
            {
                expired = true;
                break;
            }

            _resourceVersion = pod.Metadata?.ResourceVersion ?? _resourceVersion;
            if (type == WatchEventType.Bookmark)
            {
                continue;
            }

            var name = pod.Name();
            var ready = type != WatchEventType.Deleted && IsReady(pod);
            if (ready && _ready.Add(name))
            {
                await joined(pod);
            }
            else if (!ready && _ready.Remove(name))
            {
                await left(name, type == WatchEventType.Deleted ? "deleted" : "no longer ready");
            }
        }

        if (expired)
        {
            _resourceVersion = null;
            return false;
        }

        // A quiet watch that the server ended on time is as good as one that delivered; one that ends at once is not.
        return delivered || _time.GetElapsedTime(started) >= FirstBackOff;
    }

    private async Task ResyncAsync(Func<V1Pod, Task> joined, Func<string, string, Task> left, CancellationToken cancellationToken)
    {
        IReadOnlyList<V1Pod> pods;
        try
        {
            pods = await ListReadyAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is HttpOperationException or HttpRequestException or KubernetesException or OperationCanceledException)
        {
            return;
        }

        var now = pods.Select(pod => pod.Name()).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _ready.Where(name => !now.Contains(name)).ToList())
        {
            _ready.Remove(gone);
            await left(gone, "gone");
        }

        foreach (var pod in pods.Where(pod => _ready.Add(pod.Name())))
        {
            await joined(pod);
        }
    }

    /// <summary>Running, Ready, and not on its way out.</summary>
    public static bool IsReady(V1Pod pod)
        => pod.Metadata?.DeletionTimestamp is null
            && pod.Status?.Phase == "Running"
            && pod.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;
}
