using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Thaw.Http.Contracts;
using Thaw.Http.Endpoints;
using Thaw.Http.Errors;
using Thaw.Inference.Batching;
using Thaw.Inference.Jobs;
using Thaw.Inference.Settings;

namespace Thaw.Http.Jobs;

/// <summary>
/// Batch lines for <c>/v1/embeddings</c>: the body goes through exactly the parsing and validation of
/// <c>POST /v1/embeddings</c> and runs on the model's bulk batcher (queued requests: interactive); the answer is the same JSON. What the route
/// would refuse (400/404/413) is refused here with the same status and envelope, and lands in the error file.
/// </summary>
public sealed class EmbeddingsBatchHandler(EmbeddingsEndpoint endpoint, IOptions<LimitsOptions> limits) : IBatchRequestHandler
{
    public const string Url = "/v1/embeddings";

    public string Endpoint => Url;

    public long MaxBodyBytes => limits.Value.MaxRequestBytes;

    public Task<ReadOnlyMemory<byte>> HandleAsync(JsonElement body, BatchProfileKind profile, CancellationToken cancellationToken) =>
        BatchLineGuard.RunAsync(async () =>
        {
            EmbeddingsRequest request = EmbeddingsEndpoint.Parse(JsonMarshal.GetRawUtf8Value(body).ToArray());
            EmbeddingsResponse response = await endpoint.EmbedAsync(request, profile, cancellationToken).ConfigureAwait(false);
            return JsonSerializer.SerializeToUtf8Bytes(response, ThawJson.Context.EmbeddingsResponse);
        });

    /// <summary>
    /// The checks that need no model (for <c>thaw batch submit</c> before it uploads): null when the body would be
    /// accepted as far as can be known without the server's catalog, else the error the server would answer.
    /// </summary>
    public static ApiError? Check(JsonElement body, LimitsOptions limits)
    {
        try
        {
            EmbeddingsEndpoint.Validate(EmbeddingsEndpoint.Parse(JsonMarshal.GetRawUtf8Value(body).ToArray()), limits);
            return null;
        }
        catch (ApiException e)
        {
            return e.Error;
        }
    }
}
