using System.CommandLine;

namespace Mirrord.Cli;

/// <summary>Every flag of mirrord-cli, declared once; commands pick the ones they take.</summary>
internal static class Options
{
    public static Option<FileInfo> ConfigFile() => new("--config-file", "-f")
    {
        Description = "The config to read: .json (comments and trailing commas allowed), .yaml, .yml or .toml, rendered as mirrord renders it ({{ key }}, {{ git_branch }}, get_env)",
        Required = true,
    };

    public static Option<string?> Key() => new("--key")
    {
        Description = "The session key: what {{ key }} renders to in the config, and what a share link (?mirrord-session=KEY) carries; default MIRRORD_KEY, then the config's key, else a generated one",
    };

    public static Option<int> Port() => new("--port")
    {
        Description = "The container port the request arrives on",
        DefaultValueFactory = _ => 8080,
    };

    public static Option<string> Method() => new("--method", "-X")
    {
        Description = "The request method",
        DefaultValueFactory = _ => "GET",
    };

    public static Option<string> RequestPath() => new("--path")
    {
        Description = "The request path, optionally with a query string (/api/x?id=1)",
        DefaultValueFactory = _ => "/",
    };

    public static Option<string[]> Header() => new("--header", "-H")
    {
        Description = "A request header as 'Name: value'; repeat for more",
        AllowMultipleArgumentsPerToken = false,
    };

    public static Option<string[]> Probe() => new("--probe")
    {
        Description = "One of the pod's probes, as PORT:PATH (httpGet) or PORT:grpc; repeat for more. A request that is one reaches the app whatever the filter says",
        AllowMultipleArgumentsPerToken = false,
    };

    public static Option<string?> Body() => new("--body")
    {
        Description = "The request body (for body filters; set Content-Type with -H)",
    };

    public static Option<FileInfo?> OptionalConfigFile() => new("--config-file", "-f")
    {
        Description = "The config to read (.json, .yaml, .yml or .toml; default: mirror everything)",
    };

    public static Option<string?> SidecarAddress() => new("--sidecar-address")
    {
        Description = "Connect straight to a sidecar's session endpoint (host:port), skipping Kubernetes",
    };

    public static Option<string?> Target() => new("--target", "-t")
    {
        Description = "What to connect to: pod/NAME, deployment/NAME, statefulset/NAME, replicaset/NAME or rollout/NAME (default: target in mirrord.json)",
    };

    public static Option<string?> Namespace() => new("--namespace", "-n")
    {
        Description = "The target's namespace (default: target.namespace in mirrord.json, then the kubeconfig context's)",
    };

    public static Option<string?> Context() => new("--context")
    {
        Description = "The kubeconfig context to use (default: current-context)",
    };

    public static Option<string?> Kubeconfig() => new("--kubeconfig")
    {
        Description = "The kubeconfig file (default: KUBECONFIG, then ~/.kube/config)",
    };

    public static Argument<string[]> LocalCommand() => new("command")
    {
        Description = "After --: the local process to start; connect serves it and ends with it",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static Option<int?> LocalPort() => new("--local-port")
    {
        Description = "Deliver stolen traffic to this port on the laptop (port_mapping entries win); default: the container port",
    };

    public static Option<string?> Mode() => new("--mode")
    {
        Description = "Override feature.network.incoming.mode: steal, mirror or off",
    };

    public static Option<string?> HeaderFilter() => new("--header-filter")
    {
        Description = "Override the http_filter with this header regex (with --path-filter: both must match)",
    };

    public static Option<string?> PathFilter() => new("--path-filter")
    {
        Description = "Override the http_filter with this path regex (with --header-filter: both must match)",
    };

    public static Option<string[]> PortMapping() => new("--port")
    {
        Description = "Deliver container port REMOTE to laptop port LOCAL, as REMOTE:LOCAL; repeat for more",
    };

    public static Option<string> SessionName() => new("--name")
    {
        Description = "How the session is named on the pod (shown by status and in the sidecar's logs)",
        DefaultValueFactory = _ => $"{Environment.UserName}@{Environment.MachineName}",
    };

    public static Option<string> OutputFormat() => new("--output", "-o")
    {
        Description = "text, or json for one JSON object per line",
        DefaultValueFactory = _ => "text",
    };

    public static Option<string> ManifestFile() => new("--file", "-f")
    {
        Description = "The manifests to read: multi-document YAML with Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs (- for stdin)",
        Required = true,
    };

    public static Option<string?> ManifestOutput() => new("--output-file", "-o")
    {
        Description = "Where to write the injected manifests (default: stdout)",
    };

    public static Option<string?> NamespaceLabels() => new("--namespace-labels")
    {
        Description = "The target namespace's labels as k=v,k2=v2 (e.g. mirrord.dev/injection=enabled); default for inject: opted in",
    };

    public static Option<string?> NamespaceAnnotations() => new("--namespace-annotations")
    {
        Description = "The target namespace's annotations as k=v,k2=v2 (e.g. linkerd.io/inject=enabled): a mesh's namespace-wide opt-in decides where the redirect goes",
    };

    public static Option<string> DefaultNamespace() => new("--namespace", "-n")
    {
        Description = "The namespace of documents that name none",
        DefaultValueFactory = _ => "default",
    };

    public static Option<string?> ClusterPolicy() => new("--cluster-policy")
    {
        Description = "A file with the webhook's cluster-wide session policy (its Injection:Policy), combined with the namespace's as the webhook does (docs/POLICY.md)",
    };

    public static Option<string?> SidecarImage() => new("--image")
    {
        Description = "The sidecar image to inject (default: this release's)",
    };
}
