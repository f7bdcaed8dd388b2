using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Thaw.Http.Endpoints;

namespace Thaw.Functions;

/// <summary>
/// The Files and Batch API as HTTP triggers (function key), the same handlers as the standalone host. The jobs
/// themselves run from the queue (<see cref="QueueFunctions"/>, or the Service Bus worker).
/// </summary>
public sealed class JobFunctions(FilesEndpoint files, BatchesEndpoint batches)
{
    [Function("FilesUpload")]
    public Task<IResult> UploadAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "v1/files")] HttpRequest request) =>
        files.UploadAsync(request);

    [Function("FilesList")]
    public Task<IResult> ListFilesAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "v1/files")] HttpRequest request) =>
        files.ListAsync(request);

    [Function("FilesGet")]
    public Task<IResult> GetFileAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "v1/files/{id}")] HttpRequest request, string id) =>
        files.GetAsync(id, request);

    [Function("FilesDelete")]
    public Task<IResult> DeleteFileAsync(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = "v1/files/{id}")] HttpRequest request, string id) =>
        files.DeleteAsync(id, request);

    [Function("FilesContent")]
    public Task<IResult> FileContentAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "v1/files/{id}/content")] HttpRequest request, string id) =>
        files.ContentAsync(id, request);

    [Function("BatchesCreate")]
    public Task<IResult> CreateBatchAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "v1/batches")] HttpRequest request) =>
        batches.CreateAsync(request);

    [Function("BatchesList")]
    public Task<IResult> ListBatchesAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "v1/batches")] HttpRequest request) =>
        batches.ListAsync(request);

    [Function("BatchesGet")]
    public Task<IResult> GetBatchAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "v1/batches/{id}")] HttpRequest request, string id) =>
        batches.GetAsync(id, request);

    [Function("BatchesCancel")]
    public Task<IResult> CancelBatchAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "v1/batches/{id}/cancel")] HttpRequest request, string id) =>
        batches.CancelAsync(id, request);
}
