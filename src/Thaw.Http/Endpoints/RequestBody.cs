using System.Buffers;
using Microsoft.AspNetCore.Http;
using Thaw.Http.Errors;
using Thaw.Inference.Hosting;

namespace Thaw.Http.Endpoints;

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

    private static ApiError TooLarge(long maxBytes) =>
        ApiError.TooLarge(null, JsonBodyRules.Describe(JsonBodyProblem.TooLarge, maxBytes));
}
