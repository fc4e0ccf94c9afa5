using Microsoft.Extensions.Time.Testing;

namespace Mirrord.Webhook.Tests;

/// <summary>The serving certificate comes from files and follows them when they change, as a rotated Secret does.</summary>
public sealed class CertificateTests
{
    [Fact]
    public async Task ReplacedCertificate_IsServedToNewConnections_FromTheNextCheck_WithoutARestart()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var webhook = await WebhookHost.StartAsync(time: clock);
        using var client = webhook.Client();
        (await client.GetAsync("/healthz")).Dispose();
        var first = webhook.SeenCertificate!.Thumbprint;

        // The client makes a new connection, with a new handshake, for every request.
        var replacement = webhook.RotateCertificate("mirrord-webhook.rotated.svc");
        (await client.GetAsync("/healthz")).Dispose();
        Assert.Equal(first, webhook.SeenCertificate.Thumbprint);

        clock.Advance(WebhookHost.CertificateCheckInterval);
        (await client.GetAsync("/healthz")).Dispose();

        Assert.Equal(replacement.Thumbprint, webhook.SeenCertificate.Thumbprint);
    }

    [Fact]
    public async Task BadSidecarLimit_RefusesToStart_NamingTheSettingAndValue()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => WebhookHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Injection:SidecarLimits:MaxRequestHeaderCount"] = "0",
        }));

        Assert.Contains("Injection:SidecarLimits:MaxRequestHeaderCount must be at least 1", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Program_BadClusterPolicy_ExitsTwo_NamingTheSetting_WithoutAStackTrace()
    {
        var folder = Directory.CreateTempSubdirectory("mirrord-webhook-").FullName;
        TestCertificate.Write(Path.Combine(folder, "tls.crt"), Path.Combine(folder, "tls.key"));
        await using var webhook = Mirrord.Testing.ProgramProcess.Start(
            [Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", Path.Combine(AppContext.BaseDirectory, "mirrord-webhook.dll")],
            new Dictionary<string, string>
            {
                ["MIRRORD_Webhook__Port"] = Mirrord.Testing.FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["MIRRORD_Webhook__MetricsPort"] = Mirrord.Testing.FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["MIRRORD_Webhook__CertificateFile"] = Path.Combine(folder, "tls.crt"),
                ["MIRRORD_Webhook__KeyFile"] = Path.Combine(folder, "tls.key"),
                ["MIRRORD_Injection__Policy"] = """{ "allowedModes": ["everything"] }""",
            });

        await webhook.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Mirrord.Hosting.SettingsCheck.InvalidSettings, webhook.ExitCode);
        Assert.Contains("mirrord-webhook: error: Injection:Policy: allowedModes: \"everything\" is not", webhook.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", webhook.Output, StringComparison.Ordinal);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task MisspeltSidecarLimit_RefusesToStart_NamingIt()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => WebhookHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Injection:SidecarLimits:RequestHeaderTimeout"] = "00:00:10",
        }));

        Assert.Contains("RequestHeaderTimeout", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingCertificate_RefusesToStart_NamingTheSetting()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => WebhookHost.StartAsync(writeCertificate: false));

        Assert.Contains("Webhook:CertificateFile", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("no such file", error.ToString(), StringComparison.Ordinal);
    }
}
