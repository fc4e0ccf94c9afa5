using System.Text.Json;
using Mirrord.Incoming.Configuration;
using Mirrord.Incoming.Filtering;

namespace Mirrord.Incoming.Tests.Filtering;

/// <summary>
/// Filters written for mirrord (Rust's fancy-regex) work unchanged: each construct of its dialect is
/// either matched as mirrord matches it, or refused with the construct, field, line and column.
/// </summary>
public sealed class RustRegexDialectTests
{
    [Theory]
    [InlineData("^x-dev: (?P<who>alice|bob)$", "X-Dev: bob", true)]
    [InlineData("^x-dev: (?P<who>a)-(?P=who)$", "X-Dev: a-a", true)]
    [InlineData("^x-dev: (?P<who>a)-(?P=who)$", "X-Dev: a-b", false)]
    [InlineData("^x-trace: \\h{8}$", "X-Trace: 0a1B2c3D", true)]
    [InlineData("^x-trace: \\h{8}$", "X-Trace: 0a1B2c3G", false)]
    [InlineData("^x-trace: \\H+$", "X-Trace: xyz", true)]
    [InlineData("^x-dev: [[:alpha:]]+$", "X-Dev: alice", true)]
    [InlineData("^x-dev: [[:alpha:]]+$", "X-Dev: alice2", false)]
    [InlineData("^x-dev: [[:^digit:]]+$", "X-Dev: alice", true)]
    [InlineData("^x-dev: [[:^digit:]]+$", "X-Dev: al1ce", false)]
    [InlineData("^x-dev: [_[:digit:]x]+$", "X-Dev: 1_x", true)]
    [InlineData("^x-id: \\d++$", "X-Id: 12345", true)]
    [InlineData("^x-id: \\d++1$", "X-Id: 12341", false)]
    [InlineData("^x-id: [0-9]*+x$", "X-Id: 12x", true)]
    [InlineData("^x-id: (?:ab)++$", "X-Id: ababab", true)]
    [InlineData("^x-id: a{2,3}+$", "X-Id: aaa", true)]
    [InlineData("^x-emoji: \\x{1F600}$", "X-Emoji: \U0001F600", true)]
    [InlineData("^x-dev: \\x{61}lice$", "X-Dev: alice", true)]
    [InlineData("\\<alice\\>", "X-Dev: team alice here", true)]
    [InlineData("\\balice\\b{end}", "X-Dev: alicex", false)]
    [InlineData("(?u)^x-dev: alice$", "X-Dev: alice", true)]
    [InlineData("(?iu:^x-dev: ALICE$)", "X-Dev: alice", true)]
    [InlineData("^(?P<h>x-dev): (?(<h>)alice|bob)$", "X-Dev: alice", true)]
    public void RustPattern_MatchesAsInMirrord(string pattern, string header, bool matches)
    {
        var filter = Compile(pattern);

        Assert.Equal(matches, filter.Evaluate(TestRequest.Get().With(header)).IsMatch);
    }

    [Theory]
    [InlineData("(?-i)^x-dev: alice$", "X-Dev: alice", true)]
    [InlineData("(?-i)^X-Dev: alice$", "X-Dev: alice", false)]
    [InlineData("(?-i)^x-dev: Alice$", "X-Dev: alice", false)]
    public void HeaderNames_AreMatchedInLowerCase_AsMirrordSeesThem(string pattern, string header, bool matches)
    {
        var filter = Compile(pattern);

        Assert.Equal(matches, filter.Evaluate(TestRequest.Get().With(header)).IsMatch);
    }

    [Fact]
    public void RepeatedHeader_EachValueIsMatchedOnItsOwn()
    {
        var filter = Compile("^x-dev: bob$");

        Assert.True(filter.Evaluate(TestRequest.Get().With("X-Dev: alice", "X-Dev: bob")).IsMatch);
        Assert.False(filter.Evaluate(TestRequest.Get().With("X-Dev: alice, bob")).IsMatch);
    }

    [Theory]
    [InlineData("^x-dev: alice\\K.*", "\\K (which resets the start of the match) has no .NET equivalent at offset 13")]
    [InlineData("^(?P<a>x)(?P>a)$", "the subroutine call (?P>a) has no .NET equivalent at offset 9")]
    [InlineData("(?U)^x-dev: a+", "the flag U (lazy by default) in (?U) has no .NET equivalent at offset 0")]
    [InlineData("(?-u)^x-dev: \\w+", "the flag -u (ASCII-only classes) in (?-u) has no .NET equivalent at offset 0")]
    [InlineData("^x-dev: [a-z&&[^aeiou]]+$", "the class set operation && has no .NET equivalent at offset 12")]
    [InlineData("^x-dev: [[:alpha:][:^digit:]]$", "[:^digit:] beside other class members has no .NET equivalent at offset 18")]
    [InlineData("^x-dev: [[:letters:]]$", "[:letters:] is not a POSIX class at offset 9")]
    public void UntranslatableConstruct_IsRefused_NamingItFieldLineAndColumn(string pattern, string problem)
    {
        var result = IncomingConfigParser.ParseIncoming($$"""
            {
              "mode": "steal",
              "http_filter": { "header_filter": {{JsonSerializer.Serialize(pattern)}} }
            }
            """);

        var error = Assert.Single(result.Errors);
        Assert.Equal("feature.network.incoming.http_filter.header_filter", error.Path);
        Assert.Equal(new(3, 37), error.Position);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.Contains("docs/CONFIG.md", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DotNetError_InATranslatedPattern_NamesTheOffsetInTheUsersPattern()
    {
        var result = IncomingConfigParser.ParseIncoming("""{ "mode": "steal", "http_filter": { "header_filter": "(?P<a>\\h)(" } }""");

        Assert.Contains("invalid regex at offset 10: Not enough )", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    private static HttpFilter Compile(string pattern)
    {
        var config = IncomingConfigParser.ParseIncoming($$"""{ "mode": "steal", "http_filter": { "header_filter": {{JsonSerializer.Serialize(pattern)}} } }""").GetConfigOrThrow();
        return HttpFilter.Compile(config.HttpFilter!.Rule, FilterOptions.Default, null);
    }
}
