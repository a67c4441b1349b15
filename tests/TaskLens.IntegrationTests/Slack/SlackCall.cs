using System.Text.Json.Nodes;

namespace TaskLens.IntegrationTests.Slack;

/// <summary>One call the fake received; <see cref="Error"/> is what it answered when it refused.</summary>
internal sealed record SlackCall(string Method, string Channel, string Ts, string ThreadTs, string Text, JsonArray? Blocks, string User, DateTimeOffset At, string? Error)
{
    public bool IsThreadReply => Method == "chat.postMessage" && ThreadTs.Length > 0;

    public bool IsNewMessage => Method == "chat.postMessage" && ThreadTs.Length == 0;

    /// <summary>Every text in the blocks, joined by new lines.</summary>
    public string BlockText => Blocks is null ? "" : string.Join("\n", Blocks.SelectMany(b => Texts(b)));

    private static IEnumerable<string> Texts(JsonNode? node) => node switch
    {
        JsonObject o => o.Where(p => p.Key != "value").SelectMany(p => p.Key == "text" && p.Value is JsonValue v && v.TryGetValue<string>(out var s) ? [s] : Texts(p.Value)),
        JsonArray a => a.SelectMany(Texts),
        _ => [],
    };
}
