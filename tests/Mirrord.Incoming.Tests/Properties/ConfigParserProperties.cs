using CsCheck;
using Mirrord.Incoming.Configuration;

namespace Mirrord.Incoming.Tests.Properties;

/// <summary>
/// The config parser over thousands of generated inputs (a bounded number per run; a failure prints
/// the seed that reproduces it): it never throws, and it either gives a config or says what is wrong.
/// </summary>
public sealed class ConfigParserProperties
{
    [Fact]
    public void ParseIncoming_AnyText_GivesAConfigOrErrorsThatNameAField_NeverThrows()
    {
        ConfigGenerators.AlmostConfig.Sample(text =>
        {
            var result = IncomingConfigParser.ParseIncoming(text);

            Assert.Equal(result.Errors.Count == 0, result.Succeeded);
            Assert.All(result.Errors, error =>
            {
                Assert.StartsWith("feature.network.incoming", error.Path, StringComparison.Ordinal);
                Assert.False(string.IsNullOrWhiteSpace(error.Message));
            });
        }, iter: 3000);
    }

    [Fact]
    public void ParseMirrordJson_AnyTextInsideTheEnvelope_NeverThrows()
    {
        ConfigGenerators.AlmostConfig.Sample(text =>
        {
            var result = IncomingConfigParser.ParseMirrordJson($$"""{ "feature": { "network": { "incoming": {{text}} } } }""");

            Assert.Equal(result.Errors.Count == 0, result.Succeeded);
        }, iter: 1000);
    }

    [Fact]
    public void WellFormedConfig_WrittenAndParsedAgain_IsTheSameConfig()
    {
        ConfigGenerators.WellFormed.Sample(text =>
        {
            var parsed = IncomingConfigParser.ParseIncoming(text);
            Assert.True(parsed.Succeeded, $"{text}\n{string.Join("\n", parsed.Errors)}");

            var written = IncomingConfigWriter.WriteIncoming(parsed.Config!);
            var again = IncomingConfigParser.ParseIncoming(written);

            Assert.True(again.Succeeded, $"{written}\n{string.Join("\n", again.Errors)}");
            Assert.Equal(written, IncomingConfigWriter.WriteIncoming(again.Config!));
        }, iter: 1000);
    }
}
