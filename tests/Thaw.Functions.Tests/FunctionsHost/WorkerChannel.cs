using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Core;

namespace Thaw.Functions.Tests.FunctionsHost;

/// <summary>
/// The host's end of the worker's event stream: one writer loop, one reader loop that completes the pending request
/// each response answers (by request kind and id), and the worker's <see cref="RpcLog"/> lines.
/// </summary>
internal sealed class WorkerChannel
{
    private readonly Channel<StreamingMessage> _outbound = Channel.CreateUnbounded<StreamingMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> _pending = new();
    private readonly TaskCompletionSource<StartStream> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The worker opened the stream and said who it is.</summary>
    public Task<StartStream> Started => _started.Task;

    /// <summary>The worker closed its end of the stream (or the call was aborted).</summary>
    public Task Closed => _closed.Task;

    public ConcurrentQueue<RpcLog> Logs { get; } = new();

    private readonly ConcurrentDictionary<TaskCompletionSource, string> _logWaiters = new();

    /// <summary>Completes when the worker sends a log line containing <paramref name="text"/> (or has sent one).</summary>
    public Task LogAsync(string text)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _logWaiters[seen] = text;
        if (Logs.Any(l => l.Message.Contains(text, StringComparison.Ordinal)))
        {
            _logWaiters.TryRemove(seen, out _);
            seen.TrySetResult();
        }

        return seen.Task;
    }

    public const string InitKey = "init";
    public const string MetadataKey = "metadata";
    public const string StatusKey = "status";

    public static string LoadKey(string functionId) => $"load:{functionId}";

    public static string InvocationKey(string invocationId) => $"invocation:{invocationId}";

    /// <summary>Sends <paramref name="message"/> and returns the worker's answer, matched by <paramref name="key"/>.</summary>
    public Task<StreamingMessage> SendAsync(StreamingMessage message, string key)
    {
        var answer = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.TryAdd(key, answer))
        {
            throw new InvalidOperationException($"Bug: a request '{key}' is already waiting for its answer.");
        }

        Post(message);
        return answer.Task;
    }

    /// <summary>Sends a message that has no answer (terminate, cancel).</summary>
    public void Post(StreamingMessage message) => _outbound.Writer.TryWrite(message);

    public async Task RunAsync(IAsyncStreamReader<StreamingMessage> requests, IServerStreamWriter<StreamingMessage> responses, CancellationToken cancellationToken)
    {
        Task writing = WriteAsync(responses, cancellationToken);
        try
        {
            await foreach (StreamingMessage message in requests.ReadAllAsync(cancellationToken))
            {
                Dispatch(message);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or Grpc.Core.RpcException)
        {
            // The worker went away mid-stream (killed, or exited on a failed start): Closed says so below.
        }
        finally
        {
            _outbound.Writer.TryComplete();
            _closed.TrySetResult();
        }

        await writing.ConfigureAwait(false);
    }

    private async Task WriteAsync(IServerStreamWriter<StreamingMessage> responses, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (StreamingMessage message in _outbound.Reader.ReadAllAsync(cancellationToken))
            {
                await responses.WriteAsync(message, cancellationToken);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The stream closed while a message was on its way: the worker is gone and nobody waits for the answer.
        }
    }

    private void Dispatch(StreamingMessage message)
    {
        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.StartStream:
                _started.TrySetResult(message.StartStream);
                break;
            case StreamingMessage.ContentOneofCase.RpcLog:
                Logs.Enqueue(message.RpcLog);
                foreach ((TaskCompletionSource seen, string text) in _logWaiters)
                {
                    if (message.RpcLog.Message.Contains(text, StringComparison.Ordinal) && _logWaiters.TryRemove(seen, out _))
                    {
                        seen.TrySetResult();
                    }
                }

                break;
            case StreamingMessage.ContentOneofCase.WorkerInitResponse:
                Complete(InitKey, message);
                break;
            case StreamingMessage.ContentOneofCase.FunctionMetadataResponse:
                Complete(MetadataKey, message);
                break;
            case StreamingMessage.ContentOneofCase.FunctionLoadResponse:
                Complete(LoadKey(message.FunctionLoadResponse.FunctionId), message);
                break;
            case StreamingMessage.ContentOneofCase.InvocationResponse:
                Complete(InvocationKey(message.InvocationResponse.InvocationId), message);
                break;
            case StreamingMessage.ContentOneofCase.WorkerStatusResponse:
                Complete(StatusKey, message);
                break;
            default:
                // Messages outside the fake's part of the protocol are dropped, as a host of an older version would.
                break;
        }
    }

    private void Complete(string key, StreamingMessage message)
    {
        if (_pending.TryRemove(key, out TaskCompletionSource<StreamingMessage>? answer))
        {
            answer.TrySetResult(message);
        }
    }
}
