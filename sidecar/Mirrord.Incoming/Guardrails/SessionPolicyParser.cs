using System.Globalization;
using System.Text.Json;
using Mirrord.Incoming.Filtering;
using Mirrord.Incoming.Outgoing;

namespace Mirrord.Incoming.Guardrails;

/// <summary>
/// Reads a policy document (the <c>mirrord.dev/policy</c> annotation, the sidecar's
/// <c>MIRRORD_Sidecar__Policy</c>): a JSON object with <c>allowedModes</c>,
/// <c>requiredHeaderFilter</c> (a pattern or a list), <c>maxSessionsPerPod</c>,
/// <c>maxSessionLifetime</c> ("hh:mm:ss") and <c>protectedPorts</c>. Every problem is reported with
/// the field it is in; a document with any problem yields no policy, so a bad one never half-applies.
/// </summary>
public static class SessionPolicyParser
{
    private static readonly string[] s_fields = ["allowedModes", "requiredHeaderFilter", "requiredHeader", "maxSessionsPerPod", "maxSessionLifetime", "protectedPorts", "allowOutgoing", "outgoingDestinations"];

    public static (SessionPolicy? Policy, IReadOnlyList<string> Errors) Parse(string text, string source)
    {
        var errors = new List<string>();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            return (null, [$"{source}: not JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}): {ex.Message.Split(" LineNumber")[0]}"]);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, [$"{source}: must be a JSON object with {string.Join(", ", s_fields)}"]);
            }

            var policy = SessionPolicy.Empty;
            foreach (var property in root.EnumerateObject())
            {
                var where = $"{source}: {property.Name}";
                var value = property.Value;
                switch (property.Name)
                {
                    case "allowedModes":
                        policy = policy with { AllowedModes = Modes(value, where, errors) };
                        break;
                    case "requiredHeaderFilter":
                        policy = policy with { RequiredHeaderFilters = Patterns(value, where, errors) };
                        break;
                    case "maxSessionsPerPod":
                        policy = policy with { MaxSessionsPerPod = value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var max) && max >= 0 ? max : Fail<int?>(errors, $"{where}: must be a whole number, 0 or more") };
                        break;
                    case "maxSessionLifetime":
                        policy = policy with { MaxSessionLifetime = Lifetime(value, where, errors) };
                        break;
                    case "protectedPorts":
                        policy = policy with { ProtectedPorts = Ports(value, where, errors) };
                        break;
                    case "requiredHeader":
                        policy = policy with { RequiredHeaders = Headers(value, where, errors) };
                        break;
                    case "allowOutgoing":
                        policy = policy with { AllowOutgoing = value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : Fail<bool?>(errors, $"{where}: must be true or false") };
                        break;
                    case "outgoingDestinations":
                        policy = policy with { OutgoingDestinations = Destinations(value, where, errors) };
                        break;
                    default:
                        errors.Add($"{where}: unknown field; expected one of {string.Join(", ", s_fields)}");
                        break;
                }
            }

            return errors.Count == 0 ? (policy, errors) : (null, errors);
        }
    }

    /// <summary>A list of addresses in mirrord's syntax, or a list of such lists (each must be matched).</summary>
    private static List<IReadOnlyList<AddressFilter>> Destinations(JsonElement value, string where, List<string> errors)
    {
        const string Shape = "must be a list of addresses in mirrord's syntax ([protocol://]address[/prefix][:port], such as \"10.0.0.0/8\", \"postgres:5432\", \":443\"), or a list of such lists";
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
        {
            return Fail<List<IReadOnlyList<AddressFilter>>>(errors, $"{where}: {Shape}") ?? [];
        }

        var lists = value.EnumerateArray().All(item => item.ValueKind == JsonValueKind.Array) ? [.. value.EnumerateArray()] : new List<JsonElement> { value };
        var result = new List<IReadOnlyList<AddressFilter>>();
        foreach (var (list, index) in lists.Select((list, index) => (list, index)))
        {
            var filters = new List<AddressFilter>();
            foreach (var item in list.EnumerateArray())
            {
                var at = lists.Count == 1 ? where : $"{where}[{index.ToString(CultureInfo.InvariantCulture)}]";
                if (item.ValueKind != JsonValueKind.String)
                {
                    errors.Add($"{at}: {item.GetRawText()}: {Shape}");
                }
                else if (AddressFilter.TryParse(item.GetString()!, out var filter, out var problem))
                {
                    filters.Add(filter);
                }
                else
                {
                    errors.Add($"{at}: {problem}");
                }
            }

            result.Add(filters);
        }

        return result;
    }

    private static T? Fail<T>(List<string> errors, string message)
    {
        errors.Add(message);
        return default;
    }

    private static List<SessionKind>? Modes(JsonElement value, string where, List<string> errors)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            return Fail<List<SessionKind>>(errors, $"{where}: must be a list of \"steal\", \"steal-unfiltered\", \"mirror\"");
        }

        var modes = new List<SessionKind>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String && SessionKinds.TryParse(item.GetString()!, out var kind))
            {
                modes.Add(kind);
            }
            else
            {
                errors.Add($"{where}: {item.GetRawText()} is not \"steal\", \"steal-unfiltered\" or \"mirror\"");
            }
        }

        return modes;
    }

    private static List<string> Patterns(JsonElement value, string where, List<string> errors)
    {
        var items = value.ValueKind == JsonValueKind.Array ? [.. value.EnumerateArray()] : new List<JsonElement> { value };
        var patterns = new List<string>();
        foreach (var item in items)
        {
            if (item.ValueKind != JsonValueKind.String || item.GetString() is not { Length: > 0 } pattern)
            {
                errors.Add($"{where}: must be a non-empty regex, or a list of them");
                continue;
            }

            if (!FilterPattern.TryValidate(pattern, out var problem))
            {
                errors.Add($"{where}: {problem}");
                continue;
            }

            patterns.Add(pattern);
        }

        return patterns;
    }

    private static List<RequiredHeader> Headers(JsonElement value, string where, List<string> errors)
    {
        var items = value.ValueKind == JsonValueKind.Array ? [.. value.EnumerateArray()] : new List<JsonElement> { value };
        var headers = new List<RequiredHeader>();
        foreach (var item in items)
        {
            const string Shape = "must be { \"name\": header name, \"value\": optional regex }, or a list of them";
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
            {
                errors.Add($"{where}: {Shape}");
                continue;
            }

            var headerName = name.GetString()!;
            if (headerName.Length == 0 || !headerName.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)))
            {
                errors.Add($"{where}: name \"{headerName}\" is not an HTTP header name");
                continue;
            }

            string? pattern = null;
            foreach (var member in item.EnumerateObject().Where(m => m.Name is not "name"))
            {
                if (member.Name != "value" || member.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                {
                    errors.Add($"{where}: {Shape}; \"{member.Name}\" is not one of them");
                    continue;
                }

                pattern = member.Value.GetString();
                if (pattern is not null && !FilterPattern.TryValidate(pattern, out var problem))
                {
                    errors.Add($"{where}.value: {problem}");
                    pattern = null;
                }
            }

            headers.Add(new RequiredHeader(headerName, pattern));
        }

        return headers;
    }

    private static TimeSpan? Lifetime(JsonElement value, string where, List<string> errors)
        => value.ValueKind == JsonValueKind.String && TimeSpan.TryParse(value.GetString(), CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero
            ? span
            : Fail<TimeSpan?>(errors, $"{where}: must be a positive duration \"hh:mm:ss\" (\"02:00:00\" for two hours)");

    private static List<int> Ports(JsonElement value, string where, List<string> errors)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            return Fail<List<int>>(errors, $"{where}: must be a list of ports") ?? [];
        }

        var ports = new List<int>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Number && item.TryGetInt32(out var port) && port is >= 1 and <= 65535)
            {
                ports.Add(port);
            }
            else
            {
                errors.Add($"{where}: {item.GetRawText()} is not a port from 1 to 65535");
            }
        }

        return ports;
    }
}
