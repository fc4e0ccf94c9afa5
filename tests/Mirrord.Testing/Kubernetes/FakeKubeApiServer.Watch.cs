using System.Globalization;
using System.Threading.Channels;
using k8s;
using k8s.Models;

namespace Mirrord.Testing.Kubernetes;

/// <summary>
/// Pod watches of the fake API server, as the watch cache serves them
/// (staging/src/k8s.io/apiserver/pkg/storage/cacher/cacher.go, watch_cache.go): events after the
/// requested resourceVersion while it is still in the cache's window; an older one gets one ERROR
/// event carrying a 410 Expired Status inside a 200 stream, which then ends (cacher.go's
/// newErrWatcher: "too old resource version"); BOOKMARK events carrying only a resourceVersion for
/// clients that allow them; and the stream ends, successfully, when <c>timeoutSeconds</c> runs out
/// (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/get.go).
/// </summary>
public sealed partial class FakeKubeApiServer
{
    private readonly List<(long Version, string Type, V1Pod Pod)> _events = [];
    private readonly List<Watcher> _watchers = [];
    private long _windowStart;
    private int _watchRequests;

    /// <summary>How many watch requests arrived, in all.</summary>
    public int WatchRequests => Volatile.Read(ref _watchRequests);

    /// <summary>How many of them were told their resourceVersion had expired.</summary>
    public int ExpiredWatches { get; private set; }

    /// <summary>
    /// When set, watches end after this long whatever <c>timeoutSeconds</c> asked, as an API server
    /// does when its request timeout is shorter than what the client asked for.
    /// </summary>
    public TimeSpan? WatchTimeout { get; set; }

    /// <summary>Forgets the events so far: a watch resumed from before now gets 410, as after etcd compaction.</summary>
    public void Compact()
    {
        lock (_gate)
        {
            _events.Clear();
            _windowStart = _resourceVersion;
        }
    }

    /// <summary>Sends a BOOKMARK with the current resourceVersion to every watch that allowed bookmarks.</summary>
    public void Bookmark()
    {
        lock (_gate)
        {
            var bookmark = new V1Pod { ApiVersion = "v1", Kind = "Pod", Metadata = new V1ObjectMeta { ResourceVersion = _resourceVersion.ToString(CultureInfo.InvariantCulture) } };
            foreach (var watcher in _watchers.Where(w => w.Bookmarks))
            {
                watcher.Events.Writer.TryWrite((_resourceVersion, "BOOKMARK", bookmark));
            }
        }
    }

    /// <summary>Ends every open watch normally, as a server-side timeout or a graceful shutdown does.</summary>
    public void EndWatches()
    {
        lock (_gate)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Events.Writer.TryComplete();
            }
        }
    }

    private void Record(long version, string type, V1Pod snapshot)
    {
        _events.Add((version, type, snapshot));
        foreach (var watcher in _watchers)
        {
            watcher.Events.Writer.TryWrite((version, type, snapshot));
        }
    }

    private async Task WatchAsync(HttpContext context, Func<V1Pod, bool> matches, IQueryCollection query)
    {
        Interlocked.Increment(ref _watchRequests);
        var from = long.TryParse(query["resourceVersion"], CultureInfo.InvariantCulture, out var rv) ? rv : 0;

        var watcher = new Watcher(Channel.CreateUnbounded<(long, string, V1Pod)>(), query["allowWatchBookmarks"] == "true");
        string? expired = null;
        lock (_gate)
        {
            if (from != 0 && from < _windowStart)
            {
                expired = $"too old resource version: {from} ({_windowStart + 1})";
                ExpiredWatches++;
            }
            else
            {
                foreach (var e in _events.Where(e => e.Version > from))
                {
                    watcher.Events.Writer.TryWrite(e);
                }

                _watchers.Add(watcher);
            }
        }

        context.Response.ContentType = "application/json";
        await context.Response.StartAsync();
        if (expired is not null)
        {
            await WriteEventAsync(context, "ERROR",
                $$"""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"{{expired}}","reason":"Expired","code":410}""");
            return;
        }

        var timeout = int.TryParse(query["timeoutSeconds"], CultureInfo.InvariantCulture, out var seconds) ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromMinutes(30);
        using var ends = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        ends.CancelAfter(WatchTimeout is { } cap && cap < timeout ? cap : timeout);
        try
        {
            await foreach (var (_, type, pod) in watcher.Events.Reader.ReadAllAsync(ends.Token))
            {
                if (type == "BOOKMARK" || matches(pod))
                {
                    await WriteEventAsync(context, type, KubernetesJson.Serialize(pod));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The client stopped watching, or the timeout ended the watch: both end the stream.
        }
        finally
        {
            lock (_gate)
            {
                _watchers.Remove(watcher);
            }
        }
    }

    private static async Task WriteEventAsync(HttpContext context, string type, string json)
    {
        await context.Response.WriteAsync($"{{\"type\":\"{type}\",\"object\":{json}}}\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    private sealed record Watcher(Channel<(long, string, V1Pod)> Events, bool Bookmarks);
}
