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
    [InlineData("$.books[?@.id > ]", 16, "expected a literal, a query")]
    [InlineData("$.books[?@..id == 1]", 9, "must be singular")]
    [InlineData("$.books[?length(@.title)]", 9, "is a value, not a test")]
    [InlineData("$.books[?1]", 9, "a literal is not a test")]
    [InlineData("$.books[?count(1) > 0]", 15, "takes a query")]
    [InlineData("$.books[?match(@.title)]", 9, "takes 2 argument(s); got 1")]
    [InlineData("$.books[", 8, "expected a name")]
    [InlineData("$.", 2, "member name")]
    [InlineData("$['x", 4, "unterminated")]
    public void Parse_BadQuery_NamesTheOffset(string query, int offset, string message)
    {
        var ex = Assert.Throws<JsonPathSyntaxException>(() => JsonPathQuery.Parse(query));

        Assert.Equal(offset, ex.Offset);
        Assert.Contains(message, ex.Message);
    }

    // RFC 9535 section 2.3.5.3, Table 12: the filter examples, on the RFC's own document.
    private const string Rfc9535 = """
        { "a": [3, 5, 1, 2, 4, 6, {"b": "j"}, {"b": "k"}, {"b": {}}, {"b": "kilo"}],
          "o": {"p": 1, "q": 2, "r": 3, "s": 5, "t": {"u": 6}},
          "e": "f" }
        """;

    [Theory]
    [InlineData("$.a[?@.b == 'kilo']", """{"b":"kilo"}""")]
    [InlineData("$.a[?(@.b == 'kilo')]", """{"b":"kilo"}""")]
    [InlineData("$.a[?@>3.5]", "5,4,6")]
    [InlineData("$.a[?@.b]", """{"b":"j"},{"b":"k"},{"b":{}},{"b":"kilo"}""")]
    [InlineData("$[?@.*]", """[3, 5, 1, 2, 4, 6, {"b": "j"}, {"b": "k"}, {"b": {}}, {"b": "kilo"}],{"p": 1, "q": 2, "r": 3, "s": 5, "t": {"u": 6}}""")]
    [InlineData("$[?@[?@.b]]", """[3, 5, 1, 2, 4, 6, {"b": "j"}, {"b": "k"}, {"b": {}}, {"b": "kilo"}]""")]
    [InlineData("$.o[?@<3, ?@<3]", "1,2,1,2")]
    [InlineData("$.a[?@<2 || @.b == \"k\"]", """1,{"b":"k"}""")]
    [InlineData("$.a[?match(@.b, \"[jk]\")]", """{"b":"j"},{"b":"k"}""")]
    [InlineData("$.a[?search(@.b, \"[jk]\")]", """{"b":"j"},{"b":"k"},{"b":"kilo"}""")]
    [InlineData("$.o[?@>1 && @<4]", "2,3")]
    [InlineData("$.o[?@.u || @.x]", """{"u": 6}""")]
    [InlineData("$.a[?@.b == $.x]", "3,5,1,2,4,6")]
    [InlineData("$.a[?@ == @]", """3,5,1,2,4,6,{"b": "j"},{"b": "k"},{"b": {}},{"b": "kilo"}""")]
    [InlineData("$.a[?!@.b]", "3,5,1,2,4,6")]
    [InlineData("$.a[?length(@.b) > 1]", """{"b":"kilo"}""")]
    [InlineData("$[?count(@.*) == 5]", """{"p": 1, "q": 2, "r": 3, "s": 5, "t": {"u": 6}}""")]
    [InlineData("$.a[?value(@..b) == 'k']", """{"b":"k"}""")]
    public void FilterSelectors_AsRfc9535sExamples(string query, string expected)
    {
        using var document = JsonDocument.Parse(Rfc9535);

        var nodes = JsonPathQuery.Parse(query).Select(document.RootElement);

        Assert.Equal(Normalize(expected), string.Join(",", nodes.Select(n => Normalize(n.GetRawText()))));
    }

    [Theory]
    // mirrord-config http_filter.rs, BodyFilter::Json: "$.books[?(typeof(@) == 'number')]" takes numbers, not strings of digits.
    [InlineData("""{ "books": [1111, 2222, 4444] }""", "1111,2222,4444")]
    [InlineData("""{ "books": ["1111", "2222", "4444"] }""", "")]
    [InlineData("""{ "books": [1, "2", null, true, [3], {"x": 4}] }""", "1")]
    public void Typeof_AsMirrordDocumentsIt(string body, string expected)
    {
        using var document = JsonDocument.Parse(body);

        var nodes = JsonPathQuery.Parse("$.books[?(typeof(@) == 'number')]").Select(document.RootElement);

        Assert.Equal(expected, string.Join(",", nodes.Select(n => n.GetRawText())));
    }

    [Fact]
    public void Typeof_NamesEachType_AndIsNothingForMixedNodes()
    {
        using var document = JsonDocument.Parse("""{ "items": [ { "v": null }, { "v": false }, { "v": "s" }, { "v": [] }, { "v": {} }, { "v": [1, "x"] } ] }""");

        string Types(string type) => string.Join(",", JsonPathQuery.Parse($"$.items[?typeof(@.v) == '{type}']").Select(document.RootElement).Select(n => n.GetRawText()));

        Assert.Equal("""{ "v": null }""", Types("null"));
        Assert.Equal("""{ "v": false }""", Types("bool"));
        Assert.Equal("""{ "v": "s" }""", Types("string"));
        Assert.Equal("""{ "v": [] },{ "v": [1, "x"] }""", Types("array"));
        Assert.Equal("""{ "v": {} }""", Types("object"));
        Assert.Empty(JsonPathQuery.Parse("$.items[?typeof(@.v[*]) == 'number']").Select(document.RootElement));
    }

    [Fact]
    public void TheIssuesExample_SelectsItemsOverAPrice()
    {
        using var document = JsonDocument.Parse("""{ "items": [ { "sku": "a", "price": 5 }, { "sku": "b", "price": 12.5 }, { "sku": "c", "price": 10 } ] }""");

        var nodes = JsonPathQuery.Parse("$.items[?@.price > 10].sku").Select(document.RootElement);

        Assert.Equal(["b"], nodes.Select(n => n.GetString()));
    }

    private static string Normalize(string json) => string.Concat(json.Where(c => !char.IsWhiteSpace(c)));
}
