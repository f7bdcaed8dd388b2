using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Thaw.Http.Errors;
using Thaw.Http.Generation;
using Thaw.Inference.Batching;
using Thaw.Inference.Jobs;
using Thaw.Inference.Settings;

namespace Thaw.Http.Jobs;

/// <summary>
/// Batch lines (and queued requests) for <c>/v1/chat/completions</c> and <c>/v1/completions</c>: the body goes through
/// exactly the reading and validation of its route and runs through <see cref="CompletionService"/> on the given
/// profile (bulk for batch lines: every slot, a larger prefill budget); the answer is the JSON the route answers without
/// <c>stream</c>. <c>"stream": true</c> is refused (400, <c>stream</c>): a line is answered whole. What the route would
/// refuse (400/404/413) is refused with the same status and envelope (<see cref="BatchLineGuard"/>).
/// </summary>
internal abstract class CompletionsBatchHandler(CompletionRoute route, CompletionService completions, IOptions<LimitsOptions> limits) : IBatchRequestHandler
{
    public string Endpoint => route.Path;

    public long MaxBodyBytes => limits.Value.MaxRequestBytes;

    public Task<ReadOnlyMemory<byte>> HandleAsync(JsonElement body, BatchProfileKind profile, CancellationToken cancellationToken) =>
        BatchLineGuard.RunAsync(async () => await completions.CompleteAsync(route, Read(route, body), profile, cancellationToken).ConfigureAwait(false));

    /// <summary>The checks that need no model: null when the body would be accepted as far as can be known without the server's catalog.</summary>
    public static ApiError? Check(CompletionRoute route, JsonElement body)
    {
        try
        {
            Read(route, body);
            return null;
        }
        catch (ApiException e)
        {
            return e.Error;
        }
    }

    private static CompletionPlan Read(CompletionRoute route, JsonElement body)
    {
        CompletionPlan plan = route.Read(JsonMarshal.GetRawUtf8Value(body).ToArray());
        return plan.Stream
            ? throw new ApiException(ApiError.BadRequest("stream",
                "'stream' must be false or absent here: a batch line or queued request is answered whole, not as a stream of events.",
                "unsupported_parameter"))
            : plan;
    }

    /// <summary><c>/v1/chat/completions</c>.</summary>
    public sealed class ChatLines(CompletionService completions, IOptions<LimitsOptions> limits)
        : CompletionsBatchHandler(CompletionRoute.Chat, completions, limits);

    /// <summary><c>/v1/completions</c>.</summary>
    public sealed class TextLines(CompletionService completions, IOptions<LimitsOptions> limits)
        : CompletionsBatchHandler(CompletionRoute.Text, completions, limits);
}
