using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Options;
using Thaw.Azure.Storage;

namespace Thaw.Azure.Jobs;

/// <summary>
/// Writes the reply to a queued request, <c>{"id", "status_code", "body"}</c>, to its queue (a message) or blob —
/// only to destinations listed in <c>Thaw:Requests</c> (<see cref="IsAllowed"/>), never creating a queue or container
/// and never overwriting a blob. A blob that already exists is the reply of an earlier delivery of the same request
/// (its id names the message, not a fresh answer), so it counts as answered: a redelivery is idempotent. A queue reply
/// may arrive twice when a delivery fails after sending it (at least once, as every Storage queue message). A storage
/// failure — a configured destination that does not exist included — throws, so that the request is retried and, after
/// the last delivery, moved to the poison queue.
/// </summary>
internal sealed class RequestReplies(QueueClients queues, BlobClients blobs, IOptions<RequestsOptions> options)
{
    private static readonly BlobUploadOptions CreateOnly = new() { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } };

    /// <summary>Whether <paramref name="request"/>'s destination is configured; false with the problem, naming it, when not.</summary>
    public bool IsAllowed(QueuedRequest request, out string problem)
    {
        RequestsOptions o = options.Value;
        (string kind, string name, string[] allowed, string key) = request.ReplyQueue is { } queue
            ? ("queue", queue, o.ReplyQueues, $"{RequestsOptions.SectionName}:{nameof(RequestsOptions.ReplyQueues)}")
            : ("container", request.ReplyContainer!, o.ReplyContainers, $"{RequestsOptions.SectionName}:{nameof(RequestsOptions.ReplyContainers)}");
        problem = allowed.Contains(name, StringComparer.Ordinal) ? "" : $"the reply {kind} '{name}' is not one of {key}";
        return problem.Length == 0;
    }

    public async Task SendAsync(QueuedRequest request, int statusCode, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        if (!IsAllowed(request, out string problem))
        {
            throw new InvalidOperationException($"A reply to a destination that is not configured reached the writer ({problem}); this is a bug.");
        }

        var reply = BinaryData.FromBytes(Reply(request.Id, statusCode, body));
        if (request.ReplyQueue is { } name)
        {
            try
            {
                await queues.Get(name).SendMessageAsync(reply, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                throw new InvalidOperationException($"The reply queue '{name}' does not exist; Thaw never creates a requester's queue.", e);
            }

            return;
        }

        BlobServiceClient service = blobs.Service ?? throw new InvalidOperationException("Queued requests are registered only with Thaw:Storage configured; this is a bug.");
        BlobClient blob = service.GetBlobContainerClient(request.ReplyContainer).GetBlobClient(request.ReplyBlob);
        try
        {
            await blob.UploadAsync(reply, CreateOnly, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.BlobAlreadyExists || e.Status == 412)
        {
            // Written by an earlier delivery of this request: answered.
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new InvalidOperationException($"The reply container '{request.ReplyContainer}' does not exist; Thaw never creates a requester's container.", e);
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
