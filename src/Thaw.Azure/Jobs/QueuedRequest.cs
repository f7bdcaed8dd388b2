using System.Text.Json;
using Thaw.Azure.Storage;

namespace Thaw.Azure.Jobs;

/// <summary>
/// A message on the request queue: <c>{"id": "...", "url": "/v1/...", "body": {...}, "reply_to": {"queue": "name"}}</c> or
/// <c>"reply_to": {"blob": "container/path"}</c>, where <c>body</c> is a body for <c>POST {url}</c>; without <c>url</c>
/// (the messages before it existed) <c>/v1/embeddings</c>.
/// </summary>
internal sealed record QueuedRequest(string Id, string Url, JsonElement Body, string? ReplyQueue, string? ReplyContainer, string? ReplyBlob)
{
    public const string DefaultUrl = "/v1/embeddings";

    /// <summary>
    /// Reads a message; false with the problem when it has no id, body or reply destination, a <c>url</c> that is not a
    /// string, or a reply blob whose name
    /// the service would not take as it is (<see cref="StorageNames.IsBlobName"/>): nothing can be answered. Whether the
    /// destination is one Thaw may write to is <see cref="RequestReplies"/>' to judge.
    /// </summary>
    public static bool TryParse(ReadOnlyMemory<byte> message, out QueuedRequest request, out string problem)
    {
        request = null!;
        JsonElement root;
        try
        {
            using JsonDocument document = JsonDocument.Parse(message);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            problem = "The message is not JSON.";
            return false;
        }

        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("id", out JsonElement id) || id.ValueKind != JsonValueKind.String || id.GetString() is not { Length: > 0 } idText)
        {
            problem = "The message has no 'id' string.";
            return false;
        }

        string url = DefaultUrl;
        if (root.TryGetProperty("url", out JsonElement urlValue) && urlValue.ValueKind != JsonValueKind.Null)
        {
            if (urlValue.ValueKind != JsonValueKind.String || urlValue.GetString() is not { Length: > 0 } urlText)
            {
                problem = "The message's 'url' must be a path string such as \"/v1/chat/completions\".";
                return false;
            }

            url = urlText;
        }

        if (!root.TryGetProperty("body", out JsonElement body) || body.ValueKind is JsonValueKind.Null)
        {
            problem = "The message has no 'body'.";
            return false;
        }

        if (!root.TryGetProperty("reply_to", out JsonElement replyTo) || replyTo.ValueKind != JsonValueKind.Object)
        {
            problem = "The message has no 'reply_to' object.";
            return false;
        }

        string? queue = Text(replyTo, "queue");
        string? blob = Text(replyTo, "blob");
        int slash = blob?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (queue is not null && blob is null)
        {
            request = new QueuedRequest(idText, url, body, queue, null, null);
        }
        else if (queue is null && blob is not null && slash > 0 && slash < blob.Length - 1)
        {
            if (!StorageNames.IsBlobName(blob[(slash + 1)..], out string blobProblem))
            {
                problem = $"'reply_to.blob' names no usable blob: {blobProblem}.";
                return false;
            }

            request = new QueuedRequest(idText, url, body, null, blob[..slash], blob[(slash + 1)..]);
        }
        else
        {
            problem = "'reply_to' must be {\"queue\": \"name\"} or {\"blob\": \"container/path\"}.";
            return false;
        }

        problem = "";
        return true;
    }

    private static string? Text(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;
}
