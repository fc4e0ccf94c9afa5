using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mirrord.Tunnel.Protocol;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SessionMessage))]
internal sealed partial class SessionJsonContext : JsonSerializerContext;
