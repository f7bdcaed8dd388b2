using System.Text;
using System.Text.Json;
using Thaw.Inference.Batching;
using Thaw.Inference.Jobs;

namespace Thaw.Inference.Tests.Jobs;

/// <summary>
/// A hand-written endpoint: answers <c>{"echo": input}</c> (with <paramref name="padBytes"/> more in a <c>pad</c>
/// field, a fresh array per answer), refuses an input "bad" with 400, runs a hook per call and, when asked, keeps the
/// inputs in the order it was called with them.
/// </summary>
internal sealed class EchoHandler(Func<int, CancellationToken, Task>? onCall = null, int padBytes = 0, bool recordInputs = false) : IBatchRequestHandler
{
    private readonly List<string> _inputs = [];
    private int _calls;

    public string Endpoint => "/v1/embeddings";

    public long MaxBodyBytes => 16L << 20;

    public int Calls => Volatile.Read(ref _calls);

    public IReadOnlyList<string> Inputs
    {
        get
        {
            lock (_inputs)
            {
                return [.. _inputs];
            }
        }
    }

    public async Task<ReadOnlyMemory<byte>> HandleAsync(JsonElement body, BatchProfileKind profile, CancellationToken cancellationToken)
    {
        int call = Interlocked.Increment(ref _calls);
        if (recordInputs)
        {
            lock (_inputs)
            {
                _inputs.Add(body.GetProperty("input").GetString()!);
            }
        }

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

        if (padBytes == 0)
        {
            return JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["echo"] = input });
        }

        byte[] head = Encoding.UTF8.GetBytes($"{{\"echo\":{JsonSerializer.Serialize(input)},\"pad\":\"");
        byte[] answer = new byte[head.Length + padBytes + 2];
        head.CopyTo(answer, 0);
        answer.AsSpan(head.Length, padBytes).Fill((byte)'x');
        "\"}"u8.CopyTo(answer.AsSpan(head.Length + padBytes));
        return answer;
    }
}
