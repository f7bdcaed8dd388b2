using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Thaw.Http.Generation;

/// <summary>
/// Server-sent events as OpenAI streams them: each object as one <c>data: {json}\n\n</c> event, flushed at once so
/// that the client sees each token when it is generated, and <c>data: [DONE]\n\n</c> at the end.
/// </summary>
internal sealed class EventStream(Stream body)
{
    public async Task WriteAsync<T>(T value, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.Write("data: "u8);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            JsonSerializer.Serialize(writer, value, typeInfo);
        }

        buffer.Write("\n\n"u8);
        await WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    public Task WriteDoneAsync(CancellationToken cancellationToken) => WriteAsync("data: [DONE]\n\n"u8.ToArray(), cancellationToken);

    private async Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await body.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
