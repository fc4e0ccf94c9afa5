namespace Mirrord.Cli.Tests.Commands;

public class DemoCommandTests
{
    [Fact]
    public async Task Demo_BuiltInConfig_StealsAlicesRequestsAndLeavesProbesOnThePod()
    {
        var result = await CliRunner.RunAsync("demo");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(result.Lines, line => line.StartsWith("Alice's curl", StringComparison.Ordinal) && line.EndsWith("the laptop (stolen)", StringComparison.Ordinal));
        Assert.Contains(result.Lines, line => line.StartsWith("kubelet readiness probe", StringComparison.Ordinal) && line.EndsWith("the pod", StringComparison.Ordinal));
        Assert.Contains(result.Lines, line => line.StartsWith("Bob's curl", StringComparison.Ordinal) && line.EndsWith("the pod", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Demo_UserConfig_IsUsedInsteadOfTheBuiltIn()
    {
        var result = await CliRunner.RunAsync("demo", "-f", CliRunner.Seed("steal-all.json"));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(result.Lines, line => line.StartsWith("kubelet readiness probe", StringComparison.Ordinal) && line.EndsWith("the laptop (stolen)", StringComparison.Ordinal));
    }
}
