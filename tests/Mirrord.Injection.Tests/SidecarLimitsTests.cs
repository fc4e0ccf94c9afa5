using Mirrord.Tunnel.Settings;

namespace Mirrord.Injection.Tests;

/// <summary>Request limits a platform team sets on the webhook reach every injected sidecar, and only those.</summary>
public sealed class SidecarLimitsTests
{
    [Fact]
    public void ChangedLimits_AreWrittenIntoTheSidecarsEnvironment_DefaultsAreNot()
    {
        var injector = new PodInjector(new InjectionOptions
        {
            SidecarLimits = new HttpLimitsOptions { RequestHeadersTimeout = TimeSpan.FromSeconds(10), MaxRequestBodySize = 1_048_576, MaxRequestHeaderCount = 100, PassThroughIdleTimeout = TimeSpan.FromMinutes(10) },
        });
        var pod = GoldenCase.Load("01-annotation-single-container").Pod;

        var result = injector.Inject(pod, new InjectionContext("shop", null));
        result.Patch.ApplyTo(pod);

        var sidecar = pod["spec"]!["initContainers"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == PodAnnotations.SidecarContainer)!;
        var limits = sidecar["env"]!.AsArray()
            .Select(e => (Name: e!["name"]!.GetValue<string>(), Value: e["value"]?.GetValue<string>()))
            .Where(e => e.Name.StartsWith("MIRRORD_Sidecar__Limits__", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(
            [
                ("MIRRORD_Sidecar__Limits__MaxRequestBodySize", "1048576"),
                ("MIRRORD_Sidecar__Limits__PassThroughIdleTimeout", "00:10:00"),
                ("MIRRORD_Sidecar__Limits__RequestHeadersTimeout", "00:00:10"),
            ],
            limits.OrderBy(e => e.Name, StringComparer.Ordinal));
    }
}
