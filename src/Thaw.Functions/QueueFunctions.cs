using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Thaw.Azure.Jobs;

namespace Thaw.Functions;

/// <summary>
/// The Storage queue triggers, each run by the same processor as the standalone host's listener. A trigger's queue
/// name is fixed when the app is built, so they listen on the defaults of <c>Thaw:Jobs:Queue</c> (<c>thaw-jobs</c>)
/// and <c>Thaw:Jobs:RequestQueue</c> (<c>thaw-requests</c>), on the app's host storage (<c>AzureWebJobsStorage</c>,
/// identity-based in infra/, <c>UseDevelopmentStorage=true</c> locally), which <c>Thaw:Storage</c> must name too
/// (infra/ sets both to one account): without a storage account there is no shared queue or reply storage. host.json's
/// <c>queues.batchSize</c> 1 and <c>newBatchThreshold</c> 0 run one message per trigger and instance — one batch job at
/// the model's full bulk batch size, not dozens side by side (docs/functions.md, "Queue concurrency"; checked against
/// Thaw:Jobs at start by <see cref="HostJsonQueueConcurrency"/>); <c>maxDequeueCount</c> sends one that keeps failing
/// to <c>{queue}-poison</c>.
/// </summary>
public sealed class QueueFunctions(IServiceProvider services)
{
    /// <summary>Batch jobs: one message per batch.</summary>
    [Function("BatchJobs")]
    public Task BatchJobsAsync(
        [QueueTrigger("thaw-jobs", Connection = "AzureWebJobsStorage")] QueueMessage message,
        CancellationToken cancellationToken) =>
        Require<QueueTriggeredJobs>("Batch jobs").ProcessAsync(message, cancellationToken);

    /// <summary>Single embeddings requests, answered at their reply queue or blob.</summary>
    [Function("QueuedRequests")]
    public Task QueuedRequestsAsync(
        [QueueTrigger("thaw-requests", Connection = "AzureWebJobsStorage")] QueueMessage message,
        CancellationToken cancellationToken) =>
        Require<QueueTriggeredRequests>("Queued requests").ProcessAsync(message, cancellationToken);

    private T Require<T>(string what) where T : notnull =>
        services.GetService<T>()
            ?? throw new InvalidOperationException($"{what} in the Functions app need Thaw:Storage:ConnectionString (a Storage queue and Blob container shared by the instances).");
}
