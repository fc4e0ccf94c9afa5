using System.Globalization;
using System.Text.Json.Nodes;
using Mirrord.Tunnel;
using Mirrord.Tunnel.Redirect;

namespace Mirrord.Injection.Containers;

/// <summary>
/// The two containers injected into a pod. <c>mirrord-init</c> installs the redirect and exits;
/// <c>mirrord-sidecar</c> is a native sidecar (an init container with <c>restartPolicy: Always</c>),
/// so it starts before the app containers and stops after them.
/// </summary>
internal static class InjectedContainers
{
    /// <summary>The uid the sidecar runs as (the image's non-root user).</summary>
    public const int SidecarUser = 65532;

    public static JsonObject Init(InjectionOptions options, RedirectSpec redirect) => new()
    {
        ["name"] = PodAnnotations.InitContainer,
        ["image"] = options.SidecarImage,
        ["imagePullPolicy"] = options.ImagePullPolicy,
        ["args"] = new JsonArray([.. redirect.ToArguments().Prepend("init").Select(arg => (JsonNode)arg)]),
        ["env"] = new JsonArray(NoDiagnostics()),
        ["resources"] = new JsonObject
        {
            ["requests"] = new JsonObject { ["cpu"] = "10m", ["memory"] = "16Mi" },
            ["limits"] = new JsonObject { ["memory"] = "64Mi" },
        },
        ["securityContext"] = new JsonObject
        {
            // iptables needs root with NET_ADMIN and NET_RAW in the pod's network namespace, nothing more.
            ["runAsUser"] = 0,
            ["runAsNonRoot"] = false,
            ["allowPrivilegeEscalation"] = false,
            ["readOnlyRootFilesystem"] = true,
            ["capabilities"] = new JsonObject { ["add"] = new JsonArray("NET_ADMIN", "NET_RAW"), ["drop"] = new JsonArray("ALL") },
            ["seccompProfile"] = new JsonObject { ["type"] = "RuntimeDefault" },
        },
    };

    public static JsonObject Sidecar(
        InjectionOptions options, IReadOnlyList<int> ports, string? defaultIncoming, SidecarResources resources, SidecarProbes probes, string? policy = null, Rules.TlsPlan? tls = null,
        IReadOnlyList<Tunnel.Probes.AppProbe>? appProbes = null)
    {
        var env = new JsonArray(
            NoDiagnostics(),
            Env(SidecarEnvironment.InterceptedPorts, PortList(ports)),
            FieldEnv(SidecarEnvironment.PodName, "metadata.name"),
            FieldEnv(SidecarEnvironment.PodNamespace, "metadata.namespace"),
            Env(SidecarEnvironment.AdminSocket, SidecarEnvironment.AdminSocketPath));
        if (defaultIncoming is not null)
        {
            env.Add(Env(SidecarEnvironment.DefaultIncoming, defaultIncoming));
        }

        if (policy is not null)
        {
            env.Add(Env(SidecarEnvironment.Policy, policy));
        }

        if (appProbes is { Count: > 0 })
        {
            env.Add(Env(SidecarEnvironment.Probes, Tunnel.Probes.AppProbeList.Format(appProbes)));
        }

        foreach (var (name, value) in options.SidecarLimits.ChangedSettings())
        {
            env.Add(Env(SidecarEnvironment.Limit(name), value));
        }

        if (tls is not null)
        {
            env.Add(Env(SidecarEnvironment.TlsPorts, PortList(tls.Ports)));
            env.Add(Env(SidecarEnvironment.TlsCertificateDirectory, SidecarEnvironment.TlsMountPath));
            if (tls.ClientSecretName is not null)
            {
                env.Add(Env(SidecarEnvironment.TlsClientCertificateDirectory, SidecarEnvironment.TlsClientMountPath));
            }

            if (tls.ClientAuthoritySecretName is not null)
            {
                env.Add(Env(SidecarEnvironment.TlsClientAuthorityDirectory, SidecarEnvironment.TlsClientAuthorityMountPath));
            }

            if (tls.ForwardClientCertificate)
            {
                env.Add(Env(SidecarEnvironment.TlsForwardClientCertificate, "true"));
            }
        }

        var container = new JsonObject
        {
            ["name"] = PodAnnotations.SidecarContainer,
            ["image"] = options.SidecarImage,
            ["imagePullPolicy"] = options.ImagePullPolicy,
            ["restartPolicy"] = "Always",
            ["ports"] = new JsonArray(
                new JsonObject { ["name"] = "mirrord-inbound", ["containerPort"] = SidecarPorts.Inbound, ["protocol"] = "TCP" },
                new JsonObject { ["name"] = "mirrord-health", ["containerPort"] = SidecarPorts.Health, ["protocol"] = "TCP" }),
            ["env"] = env,
        };
        container["volumeMounts"] = new JsonArray([AdminMount(), .. tls is null ? [] : TlsMounts(tls)]);

        foreach (var kind in probes == SidecarProbes.All ? s_probeKinds : ["readinessProbe"])
        {
            container[kind] = SidecarProbe(kind);
        }

        container["resources"] = new JsonObject
        {
            ["requests"] = new JsonObject { ["cpu"] = resources.CpuRequest, ["memory"] = resources.MemoryRequest },
            ["limits"] = new JsonObject { ["memory"] = resources.MemoryLimit },
        };
        container["securityContext"] = new JsonObject
        {
            ["runAsUser"] = SidecarUser,
            ["runAsGroup"] = SidecarUser,
            ["runAsNonRoot"] = true,
            ["allowPrivilegeEscalation"] = false,
            ["readOnlyRootFilesystem"] = true,
            ["capabilities"] = new JsonObject { ["drop"] = new JsonArray("ALL") },
            ["seccompProfile"] = new JsonObject { ["type"] = "RuntimeDefault" },
        };
        return container;
    }

    /// <summary>
    /// The Secret volumes for HTTPS stealing. Optional: a Secret that is missing (or not yet made by
    /// cert-manager) must not keep the app from starting; the sidecar relays that TLS unfiltered
    /// until the kubelet writes it. Mounted into the sidecar alone, never into mirrord-init or the app.
    /// </summary>
    public static IReadOnlyList<JsonObject> TlsVolumes(Rules.TlsPlan tls)
    {
        var volumes = new List<JsonObject> { SecretVolume(TlsVolume, tls.SecretName) };
        if (tls.ClientSecretName is { } client)
        {
            volumes.Add(SecretVolume(TlsClientVolume, client));
        }

        if (tls.ClientAuthoritySecretName is { } authority)
        {
            volumes.Add(SecretVolume(TlsClientAuthorityVolume, authority));
        }

        return volumes;
    }

    /// <summary>
    /// The sidecar's private folder for its administration socket: mounted into the sidecar's container alone,
    /// so only a process in that container (kubectl exec, RBAC on pods/exec) can end other developers' sessions.
    /// </summary>
    public static JsonObject AdminVolume() => new() { ["name"] = AdminVolumeName, ["emptyDir"] = new JsonObject { ["sizeLimit"] = "1Mi" } };

    private const string AdminVolumeName = "mirrord-admin";

    private static JsonObject AdminMount() => new() { ["name"] = AdminVolumeName, ["mountPath"] = SidecarEnvironment.AdminMountPath };

    private const string TlsVolume = "mirrord-tls";
    private const string TlsClientVolume = "mirrord-tls-client";
    private const string TlsClientAuthorityVolume = "mirrord-tls-client-ca";

    private static IEnumerable<JsonNode> TlsMounts(Rules.TlsPlan tls)
    {
        yield return new JsonObject { ["name"] = TlsVolume, ["mountPath"] = SidecarEnvironment.TlsMountPath, ["readOnly"] = true };
        if (tls.ClientSecretName is not null)
        {
            yield return new JsonObject { ["name"] = TlsClientVolume, ["mountPath"] = SidecarEnvironment.TlsClientMountPath, ["readOnly"] = true };
        }

        if (tls.ClientAuthoritySecretName is not null)
        {
            yield return new JsonObject { ["name"] = TlsClientAuthorityVolume, ["mountPath"] = SidecarEnvironment.TlsClientAuthorityMountPath, ["readOnly"] = true };
        }
    }

    private static JsonObject SecretVolume(string name, string secret)
        => new() { ["name"] = name, ["secret"] = new JsonObject { ["secretName"] = secret, ["optional"] = true } };

    private static string PortList(IReadOnlyList<int> ports) => string.Join(",", ports.Select(p => p.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The .NET runtime's diagnostics socket goes to /tmp, which a read-only root filesystem does not have.</summary>
    private static JsonObject NoDiagnostics() => Env("DOTNET_EnableDiagnostics", "0");

    private static JsonObject Env(string name, string value) => new() { ["name"] = name, ["value"] = value };

    private static JsonObject FieldEnv(string name, string field)
        => new() { ["name"] = name, ["valueFrom"] = new JsonObject { ["fieldRef"] = new JsonObject { ["fieldPath"] = field } } };

    private static readonly string[] s_probeKinds = ["startupProbe", "readinessProbe", "livenessProbe"];

    /// <summary>One of the sidecar's probes (<c>startupProbe</c>, <c>readinessProbe</c>, <c>livenessProbe</c>), on its health port.</summary>
    public static JsonObject SidecarProbe(string kind) => kind switch
    {
        "startupProbe" => Probe("/readyz", periodSeconds: 1, failureThreshold: 30),
        "readinessProbe" => Probe("/readyz", periodSeconds: 5, failureThreshold: 3),
        _ => Probe("/healthz", periodSeconds: 10, failureThreshold: 3),
    };

    private static JsonObject Probe(string path, int periodSeconds, int failureThreshold) => new()
    {
        ["httpGet"] = new JsonObject { ["path"] = path, ["port"] = SidecarPorts.Health },
        ["periodSeconds"] = periodSeconds,
        ["failureThreshold"] = failureThreshold,
    };
}
