using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;
using Mirrord.Testing.Tls;
using Xunit.Abstractions;

namespace Mirrord.Sidecar.Tests.Tls;

/// <summary>
/// Apps that ask their callers for a client certificate (mutual TLS), on loopback with certificates made by
/// the test: the sidecar filters such a port only when it can check callers' certificates as the app does
/// (<c>mirrord.dev/tls-client-ca</c>) and present one of its own (<c>mirrord.dev/tls-client-secret</c>);
/// otherwise the port is relayed unfiltered and the developer is told which annotation is missing.
/// </summary>
public sealed class ClientCertificateTests(ITestOutputHelper output)
{
    private const string Alice = "\"header_filter\": \"^X-Dev: alice$\"";

    [Fact]
    public async Task WithoutASidecarCertificate_ThePortIsRelayedUnfiltered_AndCallersKeepTheirOwnCertificates()
    {
        TestCertificateAuthority? authority = null;
        await using var pod = await HttpsPod.StartAsync(
            output.WriteLine,
            appTls: tls => tls with { ClientCertificates = ClientCertificateMode.RequireCertificate, AcceptClient = c => authority!.Issued(c) });
        authority = pod.Authority;
        await using var cli = await pod.ConnectAsync("steal", Alice);
        using var callerCertificate = pod.Authority.IssueClient("caller");

        using var response = await SendAsync(pod, callerCertificate, ("X-Dev", "alice"));

        Assert.Equal("pod", await response.ServedByAsync());
        Assert.Equal("CN=caller", response.Headers.GetValues("x-client-certificate").Single());
        Assert.Empty(pod.Laptop.Requests);
        Assert.Contains(pod.Sidecar.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("client certificate", StringComparison.Ordinal));

        // The developer is told when the session starts, and which annotations would change it.
        Assert.Contains(cli.Lines, line => line.Contains($"HTTPS on port {pod.Port} is relayed unfiltered", StringComparison.Ordinal)
            && line.Contains("mirrord.dev/tls-client-secret", StringComparison.Ordinal) && line.Contains("mirrord.dev/tls-client-ca", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ASidecarCertificateWithoutTheCallersAuthority_IsNotEnough_ThePortIsRelayedUnfiltered()
    {
        using var callers = TestCertificateAuthority.Create("callers' CA");
        using var sidecarCertificate = callers.IssueClient("mirrord-sidecar");
        await using var pod = await HttpsPod.StartAsync(
            output.WriteLine,
            appTls: tls => tls with { ClientCertificates = ClientCertificateMode.RequireCertificate, AcceptClient = callers.Issued },
            clientSecret: SecretVolume.With(sidecarCertificate));
        await using var cli = await pod.ConnectAsync("steal", Alice);
        using var callerCertificate = callers.IssueClient("caller");

        using var response = await SendAsync(pod, callerCertificate, ("X-Dev", "alice"));

        // Presenting the sidecar's certificate for callers nobody checked would let any caller in as the sidecar.
        Assert.Equal("pod", await response.ServedByAsync());
        Assert.Equal("CN=caller", response.Headers.GetValues("x-client-certificate").Single());
        Assert.Empty(pod.Laptop.Requests);
        Assert.Contains(cli.Lines, line => line.Contains($"HTTPS on port {pod.Port} is relayed unfiltered", StringComparison.Ordinal)
            && line.Contains("mirrord.dev/tls-client-ca", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AppThatRequiresOne_IsFiltered_ForCallersWhoseCertificatesTheSidecarChecked()
    {
        using var callers = TestCertificateAuthority.Create("callers' CA");
        using var sidecarCertificate = callers.IssueClient("mirrord-sidecar");
        await using var pod = await RequiringPodAsync(callers, ClientCertificateMode.RequireCertificate, SecretVolume.With(sidecarCertificate));
        await using var cli = await pod.ConnectAsync("steal", Alice);
        using var callerCertificate = callers.IssueClient("caller");

        using var stolen = await SendAsync(pod, callerCertificate, ("X-Dev", "alice"));
        using var passed = await SendAsync(pod, callerCertificate);

        Assert.Equal("laptop", await stolen.ServedByAsync());
        Assert.Equal("pod", await passed.ServedByAsync());

        // The app checked the sidecar's certificate; the sidecar had checked the caller's against the same authority.
        Assert.Equal("CN=mirrord-sidecar", passed.Headers.GetValues("x-client-certificate").Single());
        Assert.DoesNotContain(cli.Lines, line => line.Contains("relayed unfiltered", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AppThatRequiresOne_CallersTheAppWouldRefuse_AreRefusedByTheSidecar()
    {
        using var callers = TestCertificateAuthority.Create("callers' CA");
        using var stranger = TestCertificateAuthority.Create("another CA");
        using var sidecarCertificate = callers.IssueClient("mirrord-sidecar");
        await using var pod = await RequiringPodAsync(callers, ClientCertificateMode.RequireCertificate, SecretVolume.With(sidecarCertificate));
        await using var cli = await pod.ConnectAsync("steal", Alice);
        using var strangersCertificate = stranger.IssueClient("caller");

        // A server certificate from the right authority is not a client certificate (no clientAuth usage).
        using var serverCertificate = callers.IssueServer("caller.shop.svc.cluster.local");

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => SendAsync(pod, clientCertificate: null, ("X-Dev", "alice")));
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => SendAsync(pod, strangersCertificate, ("X-Dev", "alice")));
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => SendAsync(pod, serverCertificate, ("X-Dev", "alice")));

        Assert.Empty(pod.Pod.Requests);
        Assert.Empty(pod.Laptop.Requests);

        // A caller refused at the handshake is its own affair, as it would be with the app.
        Assert.DoesNotContain(pod.Sidecar.Logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task AppThatOnlyAllowsOne_CallersWithoutACertificateStillReachIt_AsThemselves()
    {
        using var callers = TestCertificateAuthority.Create("callers' CA");
        using var sidecarCertificate = callers.IssueClient("mirrord-sidecar");
        await using var pod = await RequiringPodAsync(callers, ClientCertificateMode.AllowCertificate, SecretVolume.With(sidecarCertificate));
        await using var cli = await pod.ConnectAsync("steal", Alice);
        using var callerCertificate = callers.IssueClient("caller");

        using var anonymous = await SendAsync(pod, clientCertificate: null);
        using var anonymousAlice = await SendAsync(pod, clientCertificate: null, ("X-Dev", "alice"));
        using var identified = await SendAsync(pod, callerCertificate);

        // A caller that presented nothing is not dressed in the sidecar's identity.
        Assert.Equal("pod", await anonymous.ServedByAsync());
        Assert.Equal("none", anonymous.Headers.GetValues("x-client-certificate").Single());
        Assert.Equal("laptop", await anonymousAlice.ServedByAsync());
        Assert.Equal("pod", await identified.ServedByAsync());
        Assert.Equal("CN=mirrord-sidecar", identified.Headers.GetValues("x-client-certificate").Single());
    }

    [Fact]
    public async Task ForwardedCertificates_ReachTheAppAndTheLaptop_AndAFilterCanChooseCallersByIdentity()
    {
        using var callers = TestCertificateAuthority.Create("callers' CA");
        using var sidecarCertificate = callers.IssueClient("mirrord-sidecar");
        await using var pod = await RequiringPodAsync(
            callers, ClientCertificateMode.RequireCertificate, SecretVolume.With(sidecarCertificate), forwardClientCertificate: true);
        await using var cli = await pod.ConnectAsync("steal", "\"header_filter\": \"^x-forwarded-client-cert: .*URI=spiffe://cluster.local/ns/shop/sa/checkout$\"");
        using var checkout = callers.IssueClient("checkout", "spiffe://cluster.local/ns/shop/sa/checkout");
        using var billing = callers.IssueClient("billing", "spiffe://cluster.local/ns/shop/sa/billing");
        var forged = "Hash=00;Subject=\"CN=checkout\";URI=spiffe://cluster.local/ns/shop/sa/checkout";

        using var fromCheckout = await SendAsync(pod, checkout);
        using var fromBilling = await SendAsync(pod, billing, ("x-forwarded-client-cert", forged));

        Assert.Equal("laptop", await fromCheckout.ServedByAsync());
        Assert.Equal(
            $"Hash={Hash(checkout)};Subject=\"CN=checkout\";URI=spiffe://cluster.local/ns/shop/sa/checkout",
            pod.Laptop.Requests.Single().Headers["x-forwarded-client-cert"]);

        // Billing's claim to be checkout was dropped: the app reads who really called, and nothing was stolen for it.
        Assert.Equal("pod", await fromBilling.ServedByAsync());
        Assert.Equal(
            $"Hash={Hash(billing)};Subject=\"CN=billing\";URI=spiffe://cluster.local/ns/shop/sa/billing",
            pod.Pod.Requests.Single().Headers["x-forwarded-client-cert"]);
    }

    [Fact]
    public async Task ForwardedCertificates_ACallerWithoutOneCannotClaimOne()
    {
        using var callers = TestCertificateAuthority.Create("callers' CA");
        using var sidecarCertificate = callers.IssueClient("mirrord-sidecar");
        await using var pod = await RequiringPodAsync(
            callers, ClientCertificateMode.AllowCertificate, SecretVolume.With(sidecarCertificate), forwardClientCertificate: true);

        using var response = await SendAsync(pod, clientCertificate: null, ("x-forwarded-client-cert", "Hash=00;Subject=\"CN=admin\""));

        Assert.Equal("pod", await response.ServedByAsync());
        Assert.False(pod.Pod.Requests.Single().Headers.ContainsKey("x-forwarded-client-cert"));
    }

    /// <summary>A pod whose app trusts <paramref name="callers"/> for its callers, and whose sidecar was given that authority too.</summary>
    private Task<HttpsPod> RequiringPodAsync(TestCertificateAuthority callers, ClientCertificateMode mode, SecretVolume sidecarCertificate, bool forwardClientCertificate = false)
        => HttpsPod.StartAsync(
            output.WriteLine,
            appTls: tls => tls with { ClientCertificates = mode, AcceptClient = callers.Issued },
            clientSecret: sidecarCertificate,
            clientAuthorities: SecretVolume.WithAuthorities(callers.Pem),
            forwardClientCertificate: forwardClientCertificate);

    private static async Task<HttpResponseMessage> SendAsync(HttpsPod pod, X509Certificate2? clientCertificate, params (string Name, string Value)[] headers)
    {
        using var client = pod.Client(HttpVersion.Version11, clientCertificate: clientCertificate);
        using var request = new HttpRequestMessage(HttpMethod.Get, pod.Url("/whoami"));
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private static string Hash(X509Certificate2 certificate) => Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));
}
