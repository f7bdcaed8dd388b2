using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Thaw.Http.Contracts;
using Thaw.Http.Errors;
using Thaw.Inference.Batching;
using Thaw.Inference.Catalog;
using Thaw.Inference.Generation.Templates;
using Thaw.Inference.Jobs;

namespace Thaw.Http.Jobs;

/// <summary>
/// For batch lines and queued requests what <see cref="ApiGuard"/> is for HTTP: what the route would refuse with a
/// 400, 404 or 413 becomes <see cref="BatchRequestRejectedException"/> with the same status and envelope (the line goes
/// to the error file). Everything else (a model loading, overload, shutdown) passes through for the caller to retry.
/// </summary>
internal static class BatchLineGuard
{
    public static async Task<ReadOnlyMemory<byte>> RunAsync(Func<Task<ReadOnlyMemory<byte>>> handle)
    {
        try
        {
            return await handle().ConfigureAwait(false);
        }
        catch (Exception e) when (e is ApiException or ModelNotFoundException or UnsupportedChatContentException or TooManyInputsException)
        {
            // These map to their answers without logging: the logger is never used.
            ApiError error = ApiGuard.Describe(e, NullLogger.Instance);
            throw new BatchRequestRejectedException((int)error.Status, error.Message,
                JsonSerializer.SerializeToUtf8Bytes(error.ToEnvelope(), ThawJson.Context.ErrorEnvelope));
        }
    }
}
