using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Thaw.Http.Errors;
using Thaw.Inference.Hosting;

namespace Thaw.Http.Requests;

internal static class RequestBody
{
    /// <summary>Reads the whole body, refusing (413) one larger than <paramref name="maxBytes"/> before buffering it.</summary>
    public static async Task<ReadOnlyMemory<byte>> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            throw new ApiException(TooLarge(maxBytes));
        }

        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(request.ContentLength ?? 16 * 1024, maxBytes) + 1);
        while (true)
        {
            Memory<byte> memory = buffer.GetMemory(16 * 1024);
            int read = await request.Body.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.WrittenMemory;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > maxBytes)
            {
                throw new ApiException(TooLarge(maxBytes));
            }
        }
    }

    /// <summary>
    /// Deserializes a whole body as <typeparamref name="T"/> under the rules a batch line meets too
    /// (<see cref="JsonBodyRules"/>); errors name the field (JSON path) and position, never the payload.
    /// </summary>
    /// <exception cref="ApiException">The body is not valid JSON or a field has the wrong type.</exception>
    public static T Parse<T>(ReadOnlyMemory<byte> body, JsonTypeInfo<T> typeInfo)
    {
        // The size was bounded while the body was read.
        if (JsonBodyRules.Check(body.Span, long.MaxValue) is not JsonBodyProblem.None and var broken)
        {
            throw new ApiException(ApiError.BadRequest(null, JsonBodyRules.Describe(broken, long.MaxValue), "invalid_json"));
        }

        try
        {
            // The whole span at once: data after the object is refused, not ignored.
            return JsonSerializer.Deserialize(JsonBodyRules.Content(body.Span), typeInfo)
                ?? throw new ApiException(ApiError.BadRequest(null, "The request body must be a JSON object, not null.", "invalid_json"));
        }
        catch (JsonException e)
        {
            string? field = e.Path is { Length: > 2 } path ? path[2..] : null;
            string problem = field is null
                ? "The request body is not a valid JSON object"
                : $"The field '{field}' has the wrong type or is malformed";
            throw new ApiException(ApiError.BadRequest(field, $"{problem} (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).", "invalid_json"));
        }
    }

    /// <summary>A JSON string field's text; <paramref name="param"/> names the field in the error.</summary>
    /// <exception cref="ApiException">The string holds an escaped lone surrogate.</exception>
    public static string ReadText(JsonElement element, string param)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate ("\ud800") is valid JSON but not text.
            throw new ApiException(ApiError.BadRequest(param, $"'{param}' is not valid Unicode text (it holds an unpaired surrogate escape)."));
        }
    }

    private static ApiError TooLarge(long maxBytes) =>
        ApiError.TooLarge(null, JsonBodyRules.Describe(JsonBodyProblem.TooLarge, maxBytes));
}
