using k8s.Models;
using Mirrord.Cli.Variables;
using Mirrord.Incoming.Variables;

namespace Mirrord.Cli.Tests.Variables;

/// <summary>
/// A container's environment resolved as the kubelet resolves it (kubernetes pkg/kubelet/kubelet_pods.go
/// makeEnvironmentVariables, pkg/kubelet/envvars/envvars.go, third_party/forked/golang/expansion), and feature.env on
/// top as mirrord applies it (mirrord-cli src/execution.rs fetch_env_vars).
/// </summary>
public sealed class ContainerEnvironmentTests
{
    private static V1Pod Pod(V1Container container, bool? serviceLinks = null) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = "orders-7d9f",
            NamespaceProperty = "shop",
            Uid = "uid-1",
            Labels = new Dictionary<string, string> { ["app"] = "orders" },
            Annotations = new Dictionary<string, string> { ["team"] = "checkout" },
        },
        Spec = new V1PodSpec { Containers = [container], NodeName = "node-3", ServiceAccountName = "orders", EnableServiceLinks = serviceLinks },
        Status = new V1PodStatus { PodIP = "10.244.1.7", PodIPs = [new V1PodIP { Ip = "10.244.1.7" }, new V1PodIP { Ip = "fd00::7" }], HostIP = "192.168.49.2" },
    };

    private sealed class Sources : IEnvironmentSources
    {
        public Dictionary<string, IDictionary<string, string>> ConfigMaps { get; } = [];

        public Dictionary<string, IDictionary<string, string>> Secrets { get; } = [];

        public HashSet<string> Forbidden { get; } = [];

        public List<V1Service> Services { get; } = [];

        public Task<IDictionary<string, string>?> ConfigMapAsync(string name, CancellationToken cancellationToken) => Read(ConfigMaps, "configmaps", name);

        public Task<IDictionary<string, string>?> SecretAsync(string name, CancellationToken cancellationToken) => Read(Secrets, "secrets", name);

        public Task<IReadOnlyList<V1Service>> ServicesAsync(bool includeNamespace, CancellationToken cancellationToken)
            => Task.FromResult<IReadOnlyList<V1Service>>([.. Services.Where(s => includeNamespace || s.Name() == "kubernetes")]);

        private Task<IDictionary<string, string>?> Read(Dictionary<string, IDictionary<string, string>> store, string resource, string name)
            => Forbidden.Contains(name)
                ? throw new EnvironmentSourceForbiddenException($"{name} cannot be read: kubectl auth can-i get {resource}/{name} -n shop")
                : Task.FromResult(store.GetValueOrDefault(name));
    }

    private static V1Service Service(string name, string ip, params V1ServicePort[] ports)
        => new() { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "shop" }, Spec = new V1ServiceSpec { ClusterIP = ip, Ports = ports } };

    private static async Task<Dictionary<string, string>> ResolveAsync(V1Pod pod, Sources sources, List<string>? problems = null)
    {
        var (variables, found) = await ContainerEnvironment.ResolveAsync(pod, "app", sources, CancellationToken.None);
        problems?.AddRange(found);
        return variables.ToDictionary(v => v.Key, v => v.Value);
    }

    [Fact]
    public async Task Values_AreExpandedAgainstWhatIsDefinedBefore_AsTheKubeletDoes()
    {
        var pod = Pod(new V1Container
        {
            Name = "app",
            Env =
            [
                EnvSpec.Value("HOST", "db"),
                EnvSpec.Value("URL", "postgres://$(HOST):5432/$(LATER)?cost=$$(HOST)&x=$y"),
                EnvSpec.Value("LATER", "late"),
            ],
        });

        var env = await ResolveAsync(pod, new Sources());

        Assert.Equal("postgres://db:5432/$(LATER)?cost=$(HOST)&x=$y", env["URL"]);
    }

    [Fact]
    public async Task FieldAndResourceReferences_HaveThePodsValues()
    {
        var pod = Pod(new V1Container
        {
            Name = "app",
            Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new ResourceQuantity("256Mi"), ["cpu"] = new ResourceQuantity("1500m") } },
            Env =
            [
                EnvSpec.Field("POD", "metadata.name"),
                EnvSpec.Field("NS", "metadata.namespace"),
                EnvSpec.Field("APP", "metadata.labels['app']"),
                EnvSpec.Field("TEAM", "metadata.annotations['team']"),
                EnvSpec.Field("IP", "status.podIP"),
                EnvSpec.Field("IPS", "status.podIPs"),
                EnvSpec.Field("NODE", "spec.nodeName"),
                EnvSpec.Field("SA", "spec.serviceAccountName"),
                EnvSpec.Resource("MEM_MI", "limits.memory", "1Mi"),
                EnvSpec.Resource("CPUS", "limits.cpu"),
            ],
        });

        var env = await ResolveAsync(pod, new Sources());

        Assert.Equal(("orders-7d9f", "shop", "orders", "checkout"), (env["POD"], env["NS"], env["APP"], env["TEAM"]));
        Assert.Equal(("10.244.1.7", "10.244.1.7,fd00::7", "node-3", "orders"), (env["IP"], env["IPS"], env["NODE"], env["SA"]));
        Assert.Equal(("256", "2"), (env["MEM_MI"], env["CPUS"]));
    }

    [Fact]
    public async Task EnvFrom_WithPrefix_SkipsInvalidKeys_AndEnvWinsOverIt()
    {
        var sources = new Sources();
        sources.ConfigMaps["settings"] = new Dictionary<string, string> { ["MODE"] = "live", ["bad key"] = "x", ["REGION"] = "eu" };
        sources.Secrets["db"] = new Dictionary<string, string> { ["PASSWORD"] = "s3cret" };
        var pod = Pod(new V1Container
        {
            Name = "app",
            EnvFrom =
            [
                EnvSpec.ConfigMap("settings", prefix: "APP_"),
                EnvSpec.Secret("db"),
                EnvSpec.ConfigMap("absent", optional: true),
            ],
            Env = [EnvSpec.Value("APP_REGION", "us"), EnvSpec.SecretKey("USER", "db", "user", optional: true)],
        });
        var problems = new List<string>();

        var env = await ResolveAsync(pod, sources, problems);

        Assert.Equal(("live", "us", "s3cret"), (env["APP_MODE"], env["APP_REGION"], env["PASSWORD"]));
        Assert.False(env.ContainsKey("USER"));
        Assert.Contains(problems, p => p.Contains("key bad key is not a valid variable name", StringComparison.Ordinal));
        Assert.Single(problems);
    }

    [Fact]
    public async Task ASecretTheDeveloperMayNotRead_IsNamedWithTheCanI_AndTheRestGoesOn()
    {
        var sources = new Sources();
        sources.Forbidden.Add("db");
        sources.ConfigMaps["settings"] = new Dictionary<string, string> { ["MODE"] = "live" };
        var pod = Pod(new V1Container
        {
            Name = "app",
            EnvFrom = [EnvSpec.Secret("db"), EnvSpec.ConfigMap("settings")],
            Env = [EnvSpec.SecretKey("PASSWORD", "db", "password")],
        });
        var problems = new List<string>();

        var env = await ResolveAsync(pod, sources, problems);

        Assert.Equal("live", env["MODE"]);
        Assert.False(env.ContainsKey("PASSWORD"));
        Assert.Equal("db cannot be read: kubectl auth can-i get secrets/db -n shop", Assert.Single(problems));
    }

    [Fact]
    public async Task ServiceLinks_AsTheKubeletWritesThem_UnlessTurnedOff_ButTheMasterServiceAlways()
    {
        var sources = new Sources();
        sources.Services.Add(Service("redis-master", "10.0.0.11", EnvSpec.Port(6379, "redis")));
        sources.Services.Add(Service("kubernetes", "10.96.0.1", EnvSpec.Port(443, "https")));
        sources.Services.Add(Service("headless", "None", EnvSpec.Port(80)));
        var container = new V1Container { Name = "app", Env = [EnvSpec.Value("REDIS_MASTER_SERVICE_PORT", "7000"), EnvSpec.Value("ADDR", "$(REDIS_MASTER_SERVICE_HOST)")] };

        var env = await ResolveAsync(Pod(container), sources);
        var off = await ResolveAsync(Pod(container, serviceLinks: false), sources);

        Assert.Equal("10.0.0.11", env["REDIS_MASTER_SERVICE_HOST"]);
        Assert.Equal("7000", env["REDIS_MASTER_SERVICE_PORT"]);
        Assert.Equal("6379", env["REDIS_MASTER_SERVICE_PORT_REDIS"]);
        Assert.Equal("tcp://10.0.0.11:6379", env["REDIS_MASTER_PORT"]);
        Assert.Equal("tcp://10.0.0.11:6379", env["REDIS_MASTER_PORT_6379_TCP"]);
        Assert.Equal(("tcp", "6379", "10.0.0.11"), (env["REDIS_MASTER_PORT_6379_TCP_PROTO"], env["REDIS_MASTER_PORT_6379_TCP_PORT"], env["REDIS_MASTER_PORT_6379_TCP_ADDR"]));
        Assert.Equal("10.0.0.11", env["ADDR"]);
        Assert.DoesNotContain(env.Keys, k => k.StartsWith("HEADLESS_", StringComparison.Ordinal));
        Assert.Equal("10.96.0.1", off["KUBERNETES_SERVICE_HOST"]);
        Assert.DoesNotContain(off.Keys, k => k.StartsWith("REDIS_MASTER_SERVICE_HOST", StringComparison.Ordinal));
    }

    [Fact]
    public void FeatureEnv_SelectsOverridesMapsAndNeverCopiesTheLaptopsPaths()
    {
        var (config, errors) = EnvConfigParser.ParseMirrordJson("""
            { "feature": { "env": { "exclude": "SECRET_*;TOKEN", "override": { "REGION": "local" }, "mapping": { ".+_TIMEOUT": "1000" }, "unset": ["AWS_PROFILE"] } } }
            """);
        Assert.Empty(errors);

        var result = config!.Compose(
            [new("PATH", "/pod/bin"), new("HOME", "/root"), new("SECRET_KEY", "k"), new("TOKEN", "t"), new("DB_HOST", "db"), new("HTTP_TIMEOUT", "30"), new("REGION", "eu")],
            [new("FROM_FILE", "1")]);

        Assert.Equal(
            new Dictionary<string, string> { ["DB_HOST"] = "db", ["HTTP_TIMEOUT"] = "1000", ["REGION"] = "local", ["FROM_FILE"] = "1" }.OrderBy(p => p.Key),
            result.OrderBy(p => p.Key));
        Assert.Equal(["AWS_PROFILE"], config.Unset);
    }

    [Fact]
    public void FeatureEnv_IncludeAndExcludeTogether_IsRefused_AsMirrordRefusesThem()
    {
        var (config, errors) = EnvConfigParser.ParseMirrordJson("""{ "feature": { "env": { "include": ["A"], "exclude": ["B"], "mapping": { "(": "x" } } } }""");

        Assert.Null(config);
        Assert.Contains(errors, e => e.Path == "feature.env" && e.Message.Contains("include and exclude cannot both be given", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path == "feature.env.mapping.(");
    }

    [Fact]
    public void DotEnv_ReadsWhatItWrites()
    {
        var variables = new List<KeyValuePair<string, string>> { new("PLAIN", "a.b:c"), new("SPACED", "two words"), new("QUOTED", "say \"hi\"\nthen $LEAVE") };

        Assert.Equal(variables, DotEnv.Parse(DotEnv.Write(variables)));
        Assert.Equal([new("A", "1"), new("B", "x y"), new("C", "literal $x")], DotEnv.Parse("# comment\nexport A=1\nB=\"x y\"\nC='literal $x'\n"));
    }
}
