using System.Text.Json;
using Mirrord.Incoming.JsonPath;

namespace Mirrord.Incoming.Tests.JsonPath;

public class JsonPathQueryTests
{
    private const string Document = """
        { "library": { "books": [ { "id": 1, "title": "A" }, { "id": 2, "title": "B" }, { "id": 3, "title": "C" } ],
          "owner": { "name": "Ada", "id": 9 } },
          "odd key": true }
        """;

    [Theory]
    [InlineData("$.library.owner.name", "Ada")]
    [InlineData("$['library']['owner']['name']", "Ada")]
    [InlineData("$.library.books[0].title", "A")]
    [InlineData("$.library.books[-1].title", "C")]
    [InlineData("$.library.books[*].id", "1,2,3")]
    [InlineData("$.library.books[0,2].title", "A,C")]
    [InlineData("$.library.books[1:].title", "B,C")]
    [InlineData("$.library.books[::-1].id", "3,2,1")]
    [InlineData("$..id", "1,2,3,9")]
    [InlineData("$['odd key']", "true")]
    [InlineData("$.missing.path", "")]
    public void Select_SupportedSelectors_ReturnNodesInOrder(string query, string expected)
    {
        using var document = JsonDocument.Parse(Document);

        var nodes = JsonPathQuery.Parse(query).Select(document.RootElement);

        Assert.Equal(expected, string.Join(",", nodes.Select(n => n.ValueKind == JsonValueKind.String ? n.GetString() : n.GetRawText())));
    }

    [Theory]
    [InlineData("library.books", 0, "starts with '$'")]
    [InlineData("$.books[?(@.id > 1)]", 8, "filter selectors")]
    [InlineData("$.books[", 8, "expected a name")]
    [InlineData("$.", 2, "member name")]
    [InlineData("$['x", 4, "unterminated")]
    public void Parse_BadQuery_NamesTheOffset(string query, int offset, string message)
    {
        var ex = Assert.Throws<JsonPathSyntaxException>(() => JsonPathQuery.Parse(query));

        Assert.Equal(offset, ex.Offset);
        Assert.Contains(message, ex.Message);
    }
}
