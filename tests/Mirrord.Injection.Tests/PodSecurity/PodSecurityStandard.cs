using System.Text.Json.Nodes;

namespace Mirrord.Injection.Tests.PodSecurity;

/// <summary>
/// The controls of the Kubernetes Pod Security Standards (baseline, and restricted on top of it) as
/// the documentation lists them, evaluated on a pod's JSON. A stand-in for Pod Security Admission,
/// which needs an API server: each violation names the control and the container, so a test can
/// say exactly which ones injection adds.
/// </summary>
internal static class PodSecurityStandard
{
    private static readonly HashSet<string> s_baselineCapabilities =
        ["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"];

    private static readonly HashSet<string> s_safeSysctls =
        ["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"];

    private static readonly HashSet<string> s_restrictedVolumes =
        ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

    private static readonly HashSet<string> s_seLinuxTypes = ["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"];

    public static IReadOnlySet<string> Baseline(JsonObject pod)
    {
        var spec = pod["spec"]!.AsObject();
        var violations = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in new[] { "hostNetwork", "hostPID", "hostIPC" })
        {
            if (spec[field]?.GetValue<bool>() == true)
            {
                violations.Add($"host namespaces: {field}");
            }
        }

        if (Volumes(spec).Any(v => v["hostPath"] is not null))
        {
            violations.Add("hostPath volumes");
        }

        foreach (var sysctl in spec["securityContext"]?["sysctls"]?.AsArray() ?? [])
        {
            if (!s_safeSysctls.Contains(sysctl!["name"]!.GetValue<string>()))
            {
                violations.Add($"sysctls: {sysctl["name"]}");
            }
        }

        CheckSeccomp(spec["securityContext"], "pod", violations);
        CheckSeLinux(spec["securityContext"], "pod", violations);
        foreach (var (name, container) in Containers(spec))
        {
            var context = container["securityContext"];
            if (context?["privileged"]?.GetValue<bool>() == true)
            {
                violations.Add($"privileged: {name}");
            }

            if (context?["windowsOptions"]?["hostProcess"]?.GetValue<bool>() == true)
            {
                violations.Add($"HostProcess: {name}");
            }

            var added = Strings(context?["capabilities"]?["add"]).Where(c => !s_baselineCapabilities.Contains(c)).ToList();
            if (added.Count > 0)
            {
                violations.Add($"capabilities {string.Join(", ", added)}: {name}");
            }

            if ((container["ports"]?.AsArray() ?? []).Any(p => p!["hostPort"] is { } port && port.GetValue<int>() != 0))
            {
                violations.Add($"host ports: {name}");
            }

            if (context?["procMount"] is { } procMount && procMount.GetValue<string>() != "Default")
            {
                violations.Add($"/proc mount: {name}");
            }

            if (context?["appArmorProfile"]?["type"]?.GetValue<string>() is { } appArmor && appArmor is not ("RuntimeDefault" or "Localhost"))
            {
                violations.Add($"AppArmor: {name}");
            }

            CheckSeccomp(context, name, violations);
            CheckSeLinux(context, name, violations);
        }

        return violations;
    }

    public static IReadOnlySet<string> Restricted(JsonObject pod)
    {
        var spec = pod["spec"]!.AsObject();
        var violations = new HashSet<string>(Baseline(pod), StringComparer.Ordinal);
        foreach (var volume in Volumes(spec))
        {
            if (!volume.Any(pair => s_restrictedVolumes.Contains(pair.Key)))
            {
                violations.Add($"volume types: {volume["name"]}");
            }
        }

        var podContext = spec["securityContext"];
        var podNonRoot = podContext?["runAsNonRoot"]?.GetValue<bool>() == true;
        var podSeccomp = podContext?["seccompProfile"]?["type"]?.GetValue<string>();
        if (podContext?["runAsUser"]?.GetValue<long>() == 0)
        {
            violations.Add("running as root: pod");
        }

        foreach (var (name, container) in Containers(spec))
        {
            var context = container["securityContext"];
            if (context?["allowPrivilegeEscalation"]?.GetValue<bool>() != false)
            {
                violations.Add($"privilege escalation: {name}");
            }

            var nonRoot = context?["runAsNonRoot"]?.GetValue<bool>() ?? podNonRoot;
            if (!nonRoot || context?["runAsUser"]?.GetValue<long>() == 0)
            {
                violations.Add($"running as root: {name}");
            }

            var seccomp = context?["seccompProfile"]?["type"]?.GetValue<string>() ?? podSeccomp;
            if (seccomp is not ("RuntimeDefault" or "Localhost"))
            {
                violations.Add($"seccomp: {name}");
            }

            if (!Strings(context?["capabilities"]?["drop"]).Contains("ALL")
                || Strings(context?["capabilities"]?["add"]).Any(c => c != "NET_BIND_SERVICE"))
            {
                violations.Add($"restricted capabilities: {name}");
            }
        }

        return violations;
    }

    private static void CheckSeccomp(JsonNode? context, string where, HashSet<string> violations)
    {
        if (context?["seccompProfile"]?["type"]?.GetValue<string>() == "Unconfined")
        {
            violations.Add($"seccomp Unconfined: {where}");
        }
    }

    private static void CheckSeLinux(JsonNode? context, string where, HashSet<string> violations)
    {
        var options = context?["seLinuxOptions"];
        if (options is null)
        {
            return;
        }

        if (!s_seLinuxTypes.Contains(options["type"]?.GetValue<string>() ?? string.Empty) || options["user"] is not null || options["role"] is not null)
        {
            violations.Add($"SELinux: {where}");
        }
    }

    private static IEnumerable<(string Name, JsonObject Container)> Containers(JsonObject spec)
        => new[] { "initContainers", "containers", "ephemeralContainers" }
            .SelectMany(field => spec[field]?.AsArray() ?? [])
            .Select(c => (c!["name"]!.GetValue<string>(), c.AsObject()));

    private static IEnumerable<JsonObject> Volumes(JsonObject spec) => (spec["volumes"]?.AsArray() ?? []).Select(v => v!.AsObject());

    private static IEnumerable<string> Strings(JsonNode? array) => (array?.AsArray() ?? []).Select(v => v!.GetValue<string>());
}
