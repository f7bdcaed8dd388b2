using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Thaw.Azure.Storage;

namespace Thaw.Azure.Jobs;

/// <summary>
/// Writes the reply to a queued request, <c>{"id", "status_code", "body"}</c>, to its queue (a message) or blob
/// (created or overwritten), creating the queue or container when it does not exist yet. A storage failure throws,
/// so that the request is retried.
/// </summary>
internal sealed class RequestReplies(QueueClients queues, BlobClients blobs)
{
    public async Task SendAsync(QueuedRequest request, int statusCode, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var reply = BinaryData.FromBytes(Reply(request.Id, statusCode, body));
        if (request.ReplyQueue is { } name)
        {
            QueueClient queue = queues.Get(name);
            try
            {
                await queue.SendMessageAsync(reply, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                await queue.SendMessageAsync(reply, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        BlobServiceClient service = blobs.Service ?? throw new InvalidOperationException("Queued requests are registered only with Thaw:Storage configured; this is a bug.");
        BlobContainerClient container = service.GetBlobContainerClient(request.ReplyContainer);
        BlobClient blob = container.GetBlobClient(request.ReplyBlob);
        try
        {
            await blob.UploadAsync(reply, overwrite: true, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await blob.UploadAsync(reply, overwrite: true, cancellationToken).ConfigureAwait(false);
        }
    }

    private static byte[] Reply(string id, int statusCode, ReadOnlyMemory<byte> body)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("id", id);
            writer.WriteNumber("status_code", statusCode);
            writer.WritePropertyName("body");
            writer.WriteRawValue(body.Span, skipInputValidation: true);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
