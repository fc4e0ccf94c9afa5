using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Mirrord.Tunnel.Protocol;

namespace Mirrord.Tunnel.Tests;

/// <summary>The session frames (docs/PROTOCOL.md): every message survives the wire, and bytes that are not a frame are refused as such.</summary>
public sealed class SessionFramesTests
{
    private static readonly JsonElement s_incoming = JsonDocument.Parse("""{ "mode": "steal" }""").RootElement;

    public static TheoryData<SessionMessage> Messages => new()
    {
        new RegisterMessage(2, "alice@laptop", s_incoming, new SessionOwner("alice", "prod", "alice")),
        new RegisteredMessage("3b0c", "secret", "0.1.0", [8080], "notice"),
        new AttachMessage("3b0c", "secret"),
        new AttachedMessage(),
        new ListMessage(),
        new SessionsMessage([new SessionSummary("3b0c", "alice", s_incoming, DateTimeOffset.UnixEpoch, 1, 2, 3, new SessionOwner(null, null, "alice"))]),
        new PingMessage(),
        new PongMessage(),
        new NeedTunnelMessage(),
        new UnregisterMessage(),
        new ErrorMessage(SessionErrorCodes.Policy, "no"),
        new ClaimMessage([1, 2, 3]),
        new ClaimedMessage([1], [2, 3]),
        new KillMessage(null, new SessionOwner("ops", "prod", "ops")),
        new KilledMessage(["3b0c"]),
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public async Task EveryMessage_ReadsBackAsWritten(SessionMessage message)
    {
        using var wire = new MemoryStream();
        await SessionFrames.WriteAsync(wire, message);
        wire.Position = 0;

        var read = await SessionFrames.ReadAsync(wire);

        Assert.Equal(JsonSerializer.Serialize(message, SessionJsonContext.Default.SessionMessage), JsonSerializer.Serialize(read!, SessionJsonContext.Default.SessionMessage));
        Assert.Null(await SessionFrames.ReadAsync(wire));
    }

    public static TheoryData<string, byte[], string> NotFrames => new()
    {
        { "a zero length", Frame(0, []), "outside 1..65536" },
        { "a length over the limit", Frame(SessionFrames.MaxFrameLength + 1, []), "outside 1..65536" },
        { "an HTTP request instead of a frame", "GET / HTTP/1.1\r\n\r\n"u8.ToArray(), "outside 1..65536" },
        { "a length with half its payload", Frame(10, "{\"ty"u8.ToArray()), "closed in the middle of a frame" },
        { "half a length", [0, 0], "closed in the middle of a frame" },
        { "a payload that is not JSON", Frame(3, "abc"u8.ToArray()), "not a session message" },
        { "an unknown message type", Frame(Encoding.UTF8.GetByteCount("""{"type":"teleport"}"""), """{"type":"teleport"}"""u8.ToArray()), "not a session message" },
        { "JSON null", Frame(4, "null"u8.ToArray()), "JSON null" },
    };

    [Theory]
    [MemberData(nameof(NotFrames))]
    public async Task BytesThatAreNotAFrame_AreRefusedAsSuch(string name, byte[] bytes, string reason)
    {
        using var wire = new MemoryStream(bytes);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => SessionFrames.ReadAsync(wire));

        Assert.True(error.Message.Contains(reason, StringComparison.Ordinal), $"{name}: {error.Message}");
    }

    private static byte[] Frame(int length, byte[] payload)
    {
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, length);
        payload.CopyTo(frame, 4);
        return frame;
    }
}
