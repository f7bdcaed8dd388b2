using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Thaw.Http.Contracts;
using Thaw.Http.Errors;
using Thaw.Http.Requests;
using Thaw.Http.Responses;
using Thaw.Http.Security;
using Thaw.Inference.Jobs;

namespace Thaw.Http.Endpoints;

/// <summary>
/// The Batch API: <c>POST /v1/batches</c> checks what can be known at once (the input file, the endpoint, the
/// completion window), stores the batch and queues its job; <c>GET /v1/batches/{id}</c>, <c>GET /v1/batches</c>
/// (newest first, <c>limit</c> and <c>after</c>) and <c>POST /v1/batches/{id}/cancel</c>. Each sees the caller's
/// owner's batches and files only (<see cref="CallerOwner"/>): another owner's id answers 404 like an unknown one.
/// </summary>
public sealed class BatchesEndpoint(
    IBatchStore batches,
    IFileStore files,
    IJobQueue queue,
    IEnumerable<IBatchRequestHandler> handlers,
    TimeProvider time,
    ILogger<BatchesEndpoint> logger)
{
    public const string CompletionWindow = "24h";
    private const int MaxCreateBytes = 64 * 1024;
    private const int MaxMetadataPairs = 16;

    public Task<IResult> CreateAsync(HttpRequest request)
    {
        CancellationToken aborted = request.HttpContext.RequestAborted;
        return ApiGuard.RunAsync(async () =>
        {
            ReadOnlyMemory<byte> body = await RequestBody.ReadAsync(request, MaxCreateBytes, aborted).ConfigureAwait(false);
            CreateBatchRequest create = Parse(body);
            if (string.IsNullOrEmpty(create.InputFileId))
            {
                throw new ApiException(ApiError.BadRequest("input_file_id", "'input_file_id' is required: the id of a file uploaded with purpose 'batch'.", "missing_required_parameter"));
            }

            string[] endpoints = handlers.Select(h => h.Endpoint).ToArray();
            if (create.Endpoint is null || !endpoints.Contains(create.Endpoint, StringComparer.Ordinal))
            {
                throw new ApiException(ApiError.BadRequest("endpoint", $"'endpoint' must be one of: {string.Join(", ", endpoints)}."));
            }

            if (create.CompletionWindow != CompletionWindow)
            {
                throw new ApiException(ApiError.BadRequest("completion_window", $"'completion_window' must be '{CompletionWindow}'."));
            }

            if (create.Metadata is { Count: > MaxMetadataPairs })
            {
                throw new ApiException(ApiError.BadRequest("metadata", $"'metadata' has {create.Metadata.Count} pairs; the limit is {MaxMetadataPairs}."));
            }

            string owner = CallerOwner.Of(request.HttpContext);
            FileRecord input = await files.GetAsync(create.InputFileId, aborted).ConfigureAwait(false) is { } found && found.Owner == owner
                ? found
                : throw new ApiException(ApiError.NotFound("input_file_id", $"No file '{create.InputFileId}'.", "file_not_found"));
            if (input.Purpose != FilePurposes.Batch)
            {
                throw new ApiException(ApiError.BadRequest("input_file_id", $"The file '{input.Id}' has purpose '{input.Purpose}'; a batch reads a file uploaded with purpose 'batch'."));
            }

            if (!await HasRequestsAsync(input.Id, aborted).ConfigureAwait(false))
            {
                throw new ApiException(ApiError.BadRequest("input_file_id", $"The file '{input.Id}' holds no requests (it is empty or blank); a batch needs at least one line.", "empty_file"));
            }

            DateTimeOffset now = time.GetUtcNow();
            var batch = new BatchRecord
            {
                Id = JobIds.NewBatchId(time),
                Endpoint = create.Endpoint,
                InputFileId = input.Id,
                CompletionWindow = CompletionWindow,
                CreatedAt = now.ToUnixTimeSeconds(),
                ExpiresAt = now.AddHours(24).ToUnixTimeSeconds(),
                Metadata = create.Metadata,
                Owner = owner,
            };
            await batches.CreateAsync(batch, aborted).ConfigureAwait(false);
            try
            {
                await queue.EnqueueAsync(JobMessage.ForBatch(batch.Id), aborted).ConfigureAwait(false);
            }
            catch (JobQueueFullException e)
            {
                // The record exists already: leave it failed with the reason rather than validating forever.
                await batches.UpdateAsync(batch.Id, b => b with
                {
                    Status = BatchStatus.Failed,
                    FailedAt = now.ToUnixTimeSeconds(),
                    Errors = new BatchErrors([new BatchError("queue_full", e.Message)]),
                }, CancellationToken.None).ConfigureAwait(false);
                throw;
            }

            return new JsonResult<BatchRecord>(batch, ThawJson.BatchRecord);
        }, logger, aborted);
    }

    public Task<IResult> GetAsync(string id, HttpRequest request)
    {
        CancellationToken aborted = request.HttpContext.RequestAborted;
        return ApiGuard.RunAsync(async () =>
        {
            VersionedBatch batch = await batches.GetAsync(id, aborted).ConfigureAwait(false) is { } found && found.Batch.Owner == CallerOwner.Of(request.HttpContext)
                ? found
                : throw NotFound(id);
            return new JsonResult<BatchRecord>(batch.Batch, ThawJson.BatchRecord);
        }, logger, aborted);
    }

    public Task<IResult> CancelAsync(string id, HttpRequest request)
    {
        CancellationToken aborted = request.HttpContext.RequestAborted;
        return ApiGuard.RunAsync(async () =>
        {
            long now = time.GetUtcNow().ToUnixTimeSeconds();
            string owner = CallerOwner.Of(request.HttpContext);
            // Another owner's batch is left as it is (the change returns null) and answers 404 below.
            BatchRecord batch = await batches.UpdateAsync(id, b => b.Owner == owner && (b.Status is BatchStatus.Validating or BatchStatus.InProgress)
                ? b with { Status = BatchStatus.Cancelling, CancellingAt = now }
                : null, aborted).ConfigureAwait(false) is { } updated && updated.Owner == owner
                ? updated
                : throw NotFound(id);
            if (batch.Status is not (BatchStatus.Cancelling or BatchStatus.Cancelled))
            {
                throw new ApiException(ApiError.Conflict("batch_id",
                    $"The batch '{id}' is {JsonSerializer.Serialize(batch.Status, ThawJson.Context.BatchStatus)}; only a validating or in-progress batch can be cancelled.",
                    "batch_not_cancellable"));
            }

            return new JsonResult<BatchRecord>(batch, ThawJson.BatchRecord);
        }, logger, aborted);
    }

    public Task<IResult> ListAsync(HttpRequest request)
    {
        CancellationToken aborted = request.HttpContext.RequestAborted;
        return ApiGuard.RunAsync(async () =>
        {
            int limit = 20;
            if (request.Query["limit"] is { Count: > 0 } given
                && (!int.TryParse(given[0], NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 100))
            {
                throw new ApiException(ApiError.BadRequest("limit", "'limit' must be a whole number from 1 to 100."));
            }

            string? after = request.Query["after"] is { Count: > 0 } cursor ? cursor[0] : null;
            BatchPage page = await batches.ListAsync(limit, after, CallerOwner.Of(request.HttpContext), aborted).ConfigureAwait(false);
            return new JsonResult<BatchList>(new BatchList { Data = page.Batches, HasMore = page.HasMore }, ThawJson.BatchList);
        }, logger, aborted);
    }

    private async Task<bool> HasRequestsAsync(string fileId, CancellationToken cancellationToken)
    {
        await using Stream? content = await files.OpenReadAsync(fileId, cancellationToken).ConfigureAwait(false);
        return content is not null && await BatchInputReader.HasRequestsAsync(content, cancellationToken).ConfigureAwait(false);
    }

    private static ApiException NotFound(string id) =>
        new(ApiError.NotFound("batch_id", $"No batch '{id}'.", "batch_not_found"));

    private static CreateBatchRequest Parse(ReadOnlyMemory<byte> body)
    {
        try
        {
            return JsonSerializer.Deserialize(body.Span, ThawJson.Context.CreateBatchRequest)
                ?? throw new ApiException(ApiError.BadRequest(null, "The request body must be a JSON object, not null.", "invalid_json"));
        }
        catch (JsonException e)
        {
            string? field = e.Path is { Length: > 2 } path ? path[2..] : null;
            throw new ApiException(ApiError.BadRequest(field, field is null
                ? "The request body is not a valid JSON object."
                : $"The field '{field}' has the wrong type or is malformed.", "invalid_json"));
        }
    }
}
