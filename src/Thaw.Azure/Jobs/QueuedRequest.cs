using System.Text.Json;
using Thaw.Azure.Storage;

namespace Thaw.Azure.Jobs;

/// <summary>
/// A message on the request queue: <c>{"id": "...", "body": {...}, "reply_to": {"queue": "name"}}</c> or
/// <c>"reply_to": {"blob": "container/path"}</c>, where <c>body</c> is a <c>POST /v1/embeddings</c> body.
/// </summary>
internal sealed record QueuedRequest(string Id, JsonElement Body, string? ReplyQueue, string? ReplyContainer, string? ReplyBlob)
{
    /// <summary>
    /// Reads a message; false with the problem when it has no id, body or reply destination, or a reply blob whose name
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
            request = new QueuedRequest(idText, body, queue, null, null);
        }
        else if (queue is null && blob is not null && slash > 0 && slash < blob.Length - 1)
        {
            if (!StorageNames.IsBlobName(blob[(slash + 1)..], out string blobProblem))
            {
                problem = $"'reply_to.blob' names no usable blob: {blobProblem}.";
                return false;
            }

            request = new QueuedRequest(idText, body, null, blob[..slash], blob[(slash + 1)..]);
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
