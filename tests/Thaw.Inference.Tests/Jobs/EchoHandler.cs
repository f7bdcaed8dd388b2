using System.Text;
using System.Text.Json;
using Thaw.Inference.Batching;
using Thaw.Inference.Jobs;

namespace Thaw.Inference.Tests.Jobs;

/// <summary>A hand-written endpoint: answers <c>{"echo": input}</c>, refuses an input "bad" with 400, and runs a hook per call.</summary>
internal sealed class EchoHandler(Func<int, CancellationToken, Task>? onCall = null) : IBatchRequestHandler
{
    private int _calls;

    public string Endpoint => "/v1/embeddings";

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
        if (input == "bad")
        {
            throw new BatchRequestRejectedException(400, "bad input", Encoding.UTF8.GetBytes("{\"error\":{\"message\":\"bad input\",\"type\":\"invalid_request_error\",\"param\":\"input\",\"code\":\"invalid_value\"}}"));
        }

        return JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["echo"] = input });
    }
}
