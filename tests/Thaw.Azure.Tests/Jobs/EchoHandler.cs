using System.Text;
using System.Text.Json;
using Thaw.Inference.Batching;
using Thaw.Inference.Jobs;

namespace Thaw.Azure.Tests.Jobs;

/// <summary>A hand-written endpoint: answers <c>{"echo": input}</c>, refuses "bad" with 400, runs a hook per call.</summary>
internal sealed class EchoHandler(Func<int, CancellationToken, Task>? onCall = null) : IBatchRequestHandler
{
    private int _calls;

    public string Endpoint => "/v1/embeddings";

    public long MaxBodyBytes => 16L << 20;

    public int Calls => Volatile.Read(ref _calls);

    public async Task<ReadOnlyMemory<byte>> HandleAsync(JsonElement body, BatchProfileKind profile, CancellationToken cancellationToken)
    {
        int call = Interlocked.Increment(ref _calls);
        if (onCall is not null)
        {
            await onCall(call, cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        string input = body.GetProperty("input").GetString()!;
        return input == "bad"
            ? throw new BatchRequestRejectedException(400, "bad", Encoding.UTF8.GetBytes("{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\",\"param\":\"input\",\"code\":\"invalid_value\"}}"))
            : JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["echo"] = input });
    }
}
