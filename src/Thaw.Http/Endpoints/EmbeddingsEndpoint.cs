using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Thaw.Http.Contracts;
using Thaw.Http.Errors;
using Thaw.Http.Requests;
using Thaw.Http.Responses;
using Thaw.Inference.Batching;
using Thaw.Inference.Catalog;
using Thaw.Inference.Embeddings;
using Thaw.Inference.Models;
using Thaw.Inference.Settings;

namespace Thaw.Http.Endpoints;

/// <summary><c>POST /v1/embeddings</c>: validate everything before any work, then tokenize, run and pool.</summary>
public sealed class EmbeddingsEndpoint(ModelHost models, InstanceTimeline timeline, IOptions<LimitsOptions> limits, ILogger<EmbeddingsEndpoint> logger)
{
    public Task<IResult> HandleAsync(HttpRequest request)
    {
        CancellationToken aborted = request.HttpContext.RequestAborted;
        return ApiGuard.RunAsync(async () =>
        {
            timeline.MarkFirstRequest();
            ReadOnlyMemory<byte> body = await RequestBody.ReadAsync(request, limits.Value.MaxRequestBytes, aborted).ConfigureAwait(false);
            EmbeddingsResponse response = await EmbedAsync(Parse(body), aborted).ConfigureAwait(false);
            return new JsonResult<EmbeddingsResponse>(response, ThawJson.Context.EmbeddingsResponse);
        }, logger, aborted);
    }

    /// <summary>Validates a parsed request and embeds it; shared by HTTP and <c>thaw embed</c>.</summary>
    /// <exception cref="ApiException">The request is invalid.</exception>
    public Task<EmbeddingsResponse> EmbedAsync(EmbeddingsRequest request, CancellationToken cancellationToken) =>
        EmbedAsync(request, BatchProfileKind.Interactive, cancellationToken);

    /// <summary>
    /// Validates a parsed request and embeds it through the <paramref name="profile"/>'s batcher: interactive for
    /// HTTP and <c>thaw embed</c>, bulk for the lines of a batch job — the same checks and the same response either way.
    /// </summary>
    /// <exception cref="ApiException">The request is invalid.</exception>
    public async Task<EmbeddingsResponse> EmbedAsync(EmbeddingsRequest request, BatchProfileKind profile, CancellationToken cancellationToken)
    {
        ValidatedEmbeddingsRequest valid = Validate(request, limits.Value);
        string modelId = request.Model ?? models.Catalog.DefaultModelId;
        ModelManifest manifest = models.Catalog.Get(modelId);
        if (request.Dimensions is { } dimensions && dimensions != manifest.Dimensions)
        {
            throw new ApiException(ApiError.BadRequest("dimensions",
                $"The model '{modelId}' produces {manifest.Dimensions} dimensions; 'dimensions' must be {manifest.Dimensions} or absent."));
        }

        // Through the host, which loads the model again once if the pool unloaded it between lookup and submit.
        EmbeddingResult result = await models.EmbedAsync(modelId, valid.Inputs, valid.InputType, profile, cancellationToken).ConfigureAwait(false);
        return EmbeddingsResponse.Create(modelId, result, valid.Base64);
    }

    /// <summary>The checks that need no model: inputs, their limits, <c>encoding_format</c>, <c>input_type</c>.</summary>
    /// <exception cref="ApiException">The request is invalid.</exception>
    internal static ValidatedEmbeddingsRequest Validate(EmbeddingsRequest request, LimitsOptions limits)
    {
        string[] inputs = ValidateInput(request.Input, limits);
        bool base64 = request.EncodingFormat switch
        {
            null or "float" => false,
            "base64" => true,
            _ => throw new ApiException(ApiError.BadRequest("encoding_format", "'encoding_format' must be 'float' or 'base64'.")),
        };
        EmbeddingInputType inputType = request.InputType switch
        {
            null or "document" => EmbeddingInputType.Document,
            "query" => EmbeddingInputType.Query,
            _ => throw new ApiException(ApiError.BadRequest("input_type", "'input_type' must be 'query' or 'document'.")),
        };
        return new ValidatedEmbeddingsRequest(inputs, base64, inputType);
    }

    internal static EmbeddingsRequest Parse(ReadOnlyMemory<byte> body) => RequestBody.Parse(body, ThawJson.Context.EmbeddingsRequest);

    internal static string[] ValidateInput(JsonElement input, LimitsOptions limits)
    {
        switch (input.ValueKind)
        {
            case JsonValueKind.Undefined or JsonValueKind.Null:
                throw new ApiException(ApiError.BadRequest("input", "'input' is required: a string or an array of strings.", "missing_required_parameter"));
            case JsonValueKind.String:
                return [CheckText(RequestBody.ReadText(input, "input"), "input", limits)];
            case JsonValueKind.Array:
                int count = input.GetArrayLength();
                if (count == 0)
                {
                    throw new ApiException(ApiError.BadRequest("input", "'input' must not be an empty array."));
                }

                if (count > limits.MaxInputs)
                {
                    throw new ApiException(ApiError.TooLarge("input", $"'input' has {count} items; the limit is {limits.MaxInputs} (Thaw:Limits:MaxInputs)."));
                }

                string[] texts = new string[count];
                int i = 0;
                foreach (JsonElement item in input.EnumerateArray())
                {
                    string param = $"input[{i}]";
                    if (item.ValueKind != JsonValueKind.String)
                    {
                        throw new ApiException(ApiError.BadRequest(param,
                            $"'{param}' must be a string, not {item.ValueKind.ToString().ToLowerInvariant()} (token arrays are not supported)."));
                    }

                    texts[i++] = CheckText(RequestBody.ReadText(item, param), param, limits);
                }

                return texts;
            default:
                throw new ApiException(ApiError.BadRequest("input", $"'input' must be a string or an array of strings, not {input.ValueKind.ToString().ToLowerInvariant()}."));
        }
    }

    private static string CheckText(string text, string param, LimitsOptions limits)
    {
        if (text.Length == 0)
        {
            throw new ApiException(ApiError.BadRequest(param, $"'{param}' must not be an empty string."));
        }

        if (text.Length > limits.MaxInputChars)
        {
            throw new ApiException(ApiError.TooLarge(param, $"'{param}' has {text.Length} characters; the limit is {limits.MaxInputChars} (Thaw:Limits:MaxInputChars)."));
        }

        return text;
    }
}
