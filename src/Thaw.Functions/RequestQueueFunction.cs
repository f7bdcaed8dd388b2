using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Thaw.Azure.Jobs;

namespace Thaw.Functions;

/// <summary>
/// Single embeddings requests from the Storage queue <c>thaw-requests</c> (the default of
/// <c>Thaw:Jobs:RequestQueue</c>), answered at their reply queue or blob by the same processor as the standalone
/// host's listener. host.json's <c>queues.batchSize</c> and <c>newBatchThreshold</c> let one instance run many at
/// once, so that they meet in the model's interactive batcher; <c>maxDequeueCount</c> sends a request that keeps
/// failing to <c>thaw-requests-poison</c>.
/// </summary>
public sealed class RequestQueueFunction(IServiceProvider services)
{
    [Function("QueuedRequests")]
    public Task RunAsync(
        [QueueTrigger("thaw-requests", Connection = "AzureWebJobsStorage")] QueueMessage message,
        CancellationToken cancellationToken) =>
        (services.GetService<QueueTriggeredRequests>()
            ?? throw new InvalidOperationException("Queued requests in the Functions app need Thaw:Storage:ConnectionString (the storage account of the request queue and replies)."))
            .ProcessAsync(message, cancellationToken);
}
