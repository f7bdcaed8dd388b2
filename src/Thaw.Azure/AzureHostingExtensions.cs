using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Thaw.Azure.Jobs;
using Thaw.Azure.KeepAlive;
using Thaw.Azure.Models;
using Thaw.Azure.Snapshots;
using Thaw.Azure.Storage;
using Thaw.Inference.Jobs;
using Thaw.Inference.KeepAlive;
using Thaw.Inference.Settings;
using Thaw.Inference.Sources;

namespace Thaw.Azure;

public static class AzureHostingExtensions
{
    /// <summary>
    /// Adds the Azure Storage adapters, configured from <c>Thaw:Storage</c>: model files in Blob Storage as an origin
    /// (<c>blob</c> sources) and, when a connection string is set, the shared snapshot store, idle-time statistics, and the
    /// batch job transport (Blob files and records, Storage queue). With <c>Thaw:ServiceBus</c> configured, job messages
    /// go to a Service Bus queue instead — in every host, so that batches created anywhere reach the Service Bus worker —
    /// while files and records stay where <c>Thaw:Storage</c> puts them (Blob Storage, or without it this instance's disk).
    /// </summary>
    public static IHostApplicationBuilder AddThawAzure(this IHostApplicationBuilder builder)
    {
        builder.Services.AddThawOptions<StorageOptions>(StorageOptions.SectionName, static (section, options) => section.Bind(options));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<BlobClients>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelSource, BlobModelSource>());
        StorageOptions storage = builder.Configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new();
        ServiceBusOptions serviceBus = builder.Configuration.GetSection(ServiceBusOptions.SectionName).Get<ServiceBusOptions>() ?? new();
        if (serviceBus.IsConfigured)
        {
            // Registered first, so that it takes the place of the Storage queue below and of the in-process queue.
            builder.Services.AddThawOptions<ServiceBusOptions>(ServiceBusOptions.SectionName, static (section, options) => section.Bind(options));
            builder.Services.TryAddSingleton(sp => new ServiceBusClients(
                sp.GetRequiredService<IOptions<ServiceBusOptions>>(), storesAreLocal: !storage.IsConfigured, sp.GetRequiredService<ILogger<ServiceBusClients>>()));
            builder.Services.TryAddSingleton<IJobQueue, ServiceBusJobQueue>();
        }

        if (storage.IsConfigured)
        {
            // With storage configured, verified model files are shared by all instances through Blob Storage.
            builder.Services.TryAddSingleton<ISnapshotStore, BlobSnapshotStore>();
            // Idle-time statistics outlive the instance (scale to zero) and are merged across instances; this replaces
            // the local-disk store that AddThawKeepAlive registers.
            builder.Services.Replace(ServiceDescriptor.Singleton<IIdleStatisticsStore, BlobIdleStatisticsStore>());
            // Batch jobs: files, records and output chunks in Blob Storage, job messages on a Storage queue, so any
            // instance can take a job, and a job outlives the instance that ran it. Registered before AddThawJobs,
            // these take the place of its local-disk and in-process defaults.
            builder.Services.AddThawOptions<FilesOptions>(FilesOptions.SectionName, static (section, options) => section.Bind(options));
            builder.Services.AddThawOptions<JobsOptions>(JobsOptions.SectionName, static (section, options) => section.Bind(options));
            builder.Services.TryAddSingleton<JobContainer>();
            builder.Services.TryAddSingleton<QueueClients>();
            builder.Services.TryAddSingleton<BlobFileStore>();
            builder.Services.TryAddSingleton<IFileStore>(sp => sp.GetRequiredService<BlobFileStore>());
            builder.Services.TryAddSingleton<IBatchStore, BlobBatchStore>();
            builder.Services.TryAddSingleton<IBatchOutput, BlobBatchOutput>();
            builder.Services.TryAddSingleton<IJobQueue, StorageJobQueue>();
            builder.Services.TryAddSingleton(sp => new QueueTriggeredJobs(sp.GetRequiredService<BatchJobProcessor>(), sp.GetRequiredService<QueueClients>()));
            // Queued requests (Thaw:Jobs:RequestQueue): answered through the /v1/embeddings handler of AddThawHttp.
            // Reply destinations: only the configured ones, and never a container or queue that Thaw itself uses.
            builder.Services.AddThawOptions<RequestsOptions>(RequestsOptions.SectionName, static (section, options) => section.Bind(options))
                .Configure<IOptions<StorageOptions>, IOptions<FilesOptions>, IOptions<JobsOptions>>((requests, s, f, j) => requests.Own(s.Value, f.Value, j.Value));
            builder.Services.TryAddSingleton<RequestReplies>();
            builder.Services.TryAddSingleton<QueuedRequestProcessor>();
            builder.Services.TryAddSingleton(sp => new QueueTriggeredRequests(sp.GetRequiredService<QueuedRequestProcessor>()));
        }

        return builder;
    }

    /// <summary>
    /// Answers queued requests (<c>Thaw:Jobs:RequestQueue</c>) in this host — the standalone host; the Functions app
    /// uses a queue trigger. Call after <see cref="AddThawAzure"/>; registered only when <c>Thaw:Storage</c> is
    /// configured: without it there is no queue.
    /// </summary>
    public static IHostApplicationBuilder AddThawRequestListener(this IHostApplicationBuilder builder)
    {
        StorageOptions storage = builder.Configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new();
        if (storage.IsConfigured)
        {
            builder.Services.AddHostedService<RequestListenerService>();
        }

        return builder;
    }
}
