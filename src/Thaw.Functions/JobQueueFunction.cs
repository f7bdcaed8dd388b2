using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Thaw.Azure.Jobs;

namespace Thaw.Functions;

/// <summary>
/// Batch jobs from the Storage queue <c>thaw-jobs</c> (the default of <c>Thaw:Jobs:Queue</c>; a trigger's queue name is
/// fixed when the app is built), run by the same processor as the standalone host's listener. The trigger listens on
/// the app's host storage (<c>AzureWebJobsStorage</c>, identity-based in infra/, <c>UseDevelopmentStorage=true</c>
/// locally), which <c>Thaw:Storage</c> must name too (infra/ sets both to one account): without a storage account,
/// batches have no shared queue to travel on.
/// </summary>
public sealed class JobQueueFunction(IServiceProvider services)
{
    [Function("BatchJobs")]
    public Task RunAsync(
        [QueueTrigger("thaw-jobs", Connection = "AzureWebJobsStorage")] QueueMessage message,
        CancellationToken cancellationToken) =>
        (services.GetService<QueueTriggeredJobs>()
            ?? throw new InvalidOperationException("Batch jobs in the Functions app need Thaw:Storage:ConnectionString (a Storage queue and Blob container shared by the instances)."))
            .ProcessAsync(message, cancellationToken);
}
