using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Mirrord.Cli.Output;

namespace Mirrord.Cli.Kubernetes;

/// <summary>
/// Records each session's start and end as a Kubernetes Event on its pod, created with the
/// developer's own credentials so that the API server's audit log attributes it to them
/// (<c>kubectl get events --field-selector involvedObject.name=POD</c> shows them). When RBAC does
/// not allow creating Events, the developer is told once and the session carries on.
/// </summary>
internal sealed class PodEvents
{
    private readonly KubeContext _kube;
    private readonly Reporter _reporter;
    private readonly List<Task> _pending = [];
    private int _disabled;

    public PodEvents(KubeContext kube, Reporter reporter)
    {
        _kube = kube;
        _reporter = reporter;
    }

    /// <summary>Records <paramref name="reason"/> on <paramref name="pod"/> in the background.</summary>
    public void Record(string pod, string reason, string message)
    {
        if (Volatile.Read(ref _disabled) == 1)
        {
            return;
        }

        lock (_pending)
        {
            _pending.Add(CreateAsync(pod, reason, message));
        }
    }

    /// <summary>Waits for the Events still being created (the last session's end, as connect stops).</summary>
    public async Task DrainAsync()
    {
        Task[] pending;
        lock (_pending)
        {
            pending = [.. _pending];
        }

        await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task CreateAsync(string pod, string reason, string message)
    {
        var now = DateTime.UtcNow;
        try
        {
            await _kube.Client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
            {
                Metadata = new V1ObjectMeta { GenerateName = $"{pod}.mirrord-", NamespaceProperty = _kube.Namespace },
                InvolvedObject = new V1ObjectReference { ApiVersion = "v1", Kind = "Pod", Name = pod, NamespaceProperty = _kube.Namespace },
                Reason = reason,
                Message = message,
                Type = "Normal",
                Source = new V1EventSource { Component = "mirrord-cli" },
                ReportingComponent = "mirrord-cli",
                ReportingInstance = Environment.MachineName,
                FirstTimestamp = now,
                LastTimestamp = now,
                Count = 1,
            }, _kube.Namespace);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Forbidden)
        {
            if (Interlocked.Exchange(ref _disabled, 1) == 0)
            {
                _reporter.Warning($"your account may not create Events in namespace {_kube.Namespace} (RBAC: create on events), so session starts and ends are not recorded on the pods; the session carries on");
            }
        }
        catch (Exception ex) when (ex is HttpOperationException or HttpRequestException)
        {
            _reporter.Warning($"could not record {reason} on pod {pod}: {ex.Message}");
        }
    }
}
