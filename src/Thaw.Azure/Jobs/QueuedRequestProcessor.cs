using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;
using Thaw.Inference.Batching;
using Thaw.Inference.Jobs;

namespace Thaw.Azure.Jobs;

/// <summary>
/// Runs one request-queue message for either host (Functions trigger, standalone listener): the body goes through
/// the <c>/v1/embeddings</c> handler — the HTTP route's validation — on the model's interactive batcher, so the
/// messages an instance runs at once meet in one micro-batch. What the route would refuse with a 4xx is answered with
/// that status and the OpenAI error envelope, not retried; anything else (model loading, overload, storage) throws,
/// so that the message comes back. A message with nothing to answer, or whose reply destination is not configured in
/// <c>Thaw:Requests</c>, moves to <c>{RequestQueue}-poison</c> at once, before the model runs, with the reason (naming
/// the destination) in the log: nothing is written for it.
/// </summary>
internal sealed partial class QueuedRequestProcessor(
    IEnumerable<IBatchRequestHandler> handlers,
    RequestReplies replies,
    QueueClients queues,
    ILogger<QueuedRequestProcessor> logger)
{
    private const string Endpoint = "/v1/embeddings";

    private readonly IBatchRequestHandler? _handler = handlers.FirstOrDefault(h => h.Endpoint == Endpoint);

    public async Task ProcessAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        if (!QueuedRequest.TryParse(message, out QueuedRequest request, out string problem) || !replies.IsAllowed(request, out problem))
        {
            LogNotARequest(problem);
            (_, QueueClient poison) = await queues.GetRequestsAsync().ConfigureAwait(false);
            // Not cancelled by a shutdown: a send the service took but the caller saw cancelled would leave the message
            // to be delivered, and poisoned, again.
            await poison.SendMessageAsync(BinaryData.FromBytes(message), cancellationToken: CancellationToken.None).ConfigureAwait(false);
            return;
        }

        IBatchRequestHandler handler = _handler
            ?? throw new InvalidOperationException($"No handler for {Endpoint} is registered (AddThawHttp registers it); this is a bug in the host's composition.");
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

    [LoggerMessage(EventId = 940, Level = LogLevel.Warning, Message = "A request-queue message cannot be answered ({Problem}); it moves to the poison queue")]
    private partial void LogNotARequest(string problem);

    [LoggerMessage(EventId = 941, Level = LogLevel.Debug, Message = "Queued request answered with {StatusCode}")]
    private partial void LogAnswered(int statusCode);
}
