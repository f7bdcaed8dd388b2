using System.Diagnostics.CodeAnalysis;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;
using Thaw.Inference.Batching;
using Thaw.Inference.Jobs;

namespace Thaw.Azure.Jobs;

/// <summary>
/// Runs one request-queue message for either host (Functions trigger, standalone listener): the body goes through
/// the handler of the message's <c>url</c> (<c>/v1/embeddings</c> when it names none) — the HTTP route's validation —
/// on the model's interactive batcher or scheduler, so the messages an instance runs at once meet in one micro-batch or
/// decode step. What the route would refuse with a 4xx is answered with that status and the OpenAI error envelope, not
/// retried; anything else (model loading, overload, storage) throws, so that the message comes back. A message with
/// nothing to answer, a <c>url</c> no handler serves, or a reply destination not configured in <c>Thaw:Requests</c>
/// moves to <c>{RequestQueue}-poison</c> at once, before the model runs, with the reason (naming the url or the
/// destination) in the log: nothing is written for it.
/// </summary>
internal sealed partial class QueuedRequestProcessor(
    IEnumerable<IBatchRequestHandler> handlers,
    RequestReplies replies,
    QueueClients queues,
    ILogger<QueuedRequestProcessor> logger)
{
    private readonly Dictionary<string, IBatchRequestHandler> _handlers = handlers.ToDictionary(h => h.Endpoint, StringComparer.Ordinal);

    public async Task ProcessAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        IBatchRequestHandler? handler = null;
        if (!QueuedRequest.TryParse(message, out QueuedRequest request, out string problem)
            || !Serves(request, out handler, out problem)
            || !replies.IsAllowed(request, out problem))
        {
            LogNotARequest(problem);
            (_, QueueClient poison) = await queues.GetRequestsAsync().ConfigureAwait(false);
            // Not cancelled by a shutdown: a send the service took but the caller saw cancelled would leave the message
            // to be delivered, and poisoned, again.
            await poison.SendMessageAsync(BinaryData.FromBytes(message), cancellationToken: CancellationToken.None).ConfigureAwait(false);
            return;
        }

        int status = 200;
        ReadOnlyMemory<byte> body;
        try
        {
            body = await handler.HandleAsync(request.Body, BatchProfileKind.Interactive, cancellationToken).ConfigureAwait(false);
        }
        catch (BatchRequestRejectedException e) when (e.StatusCode is >= 400 and < 500 and not 429)
        {
            status = e.StatusCode;
            body = e.Body;
        }

        await replies.SendAsync(request, status, body, cancellationToken).ConfigureAwait(false);
        LogAnswered(status);
    }

    private bool Serves(QueuedRequest request, [NotNullWhen(true)] out IBatchRequestHandler? handler, out string problem)
    {
        problem = _handlers.TryGetValue(request.Url, out handler)
            ? ""
            : $"No handler serves the url '{request.Url}'; the request queue serves {string.Join(", ", _handlers.Keys.Order(StringComparer.Ordinal))}.";
        return handler is not null;
    }

    [LoggerMessage(EventId = 940, Level = LogLevel.Warning, Message = "A request-queue message cannot be answered ({Problem}); it moves to the poison queue")]
    private partial void LogNotARequest(string problem);

    [LoggerMessage(EventId = 941, Level = LogLevel.Debug, Message = "Queued request answered with {StatusCode}")]
    private partial void LogAnswered(int statusCode);
}
