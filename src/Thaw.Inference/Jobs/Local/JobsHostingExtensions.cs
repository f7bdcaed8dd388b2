using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Thaw.Inference.Settings;

namespace Thaw.Inference.Jobs.Local;

public static class JobsHostingExtensions
{
    /// <summary>
    /// Registers the batch job model with the embedded defaults — files, batches and output chunks on local disk
    /// under <c>{Thaw:CacheDirectory}/jobs</c>, an in-process job queue — and the runner. A transport registered
    /// before this (Storage queue, Blob files) takes precedence. Endpoint handlers (<see cref="IBatchRequestHandler"/>)
    /// come from the HTTP layer.
    /// </summary>
    public static IHostApplicationBuilder AddThawJobs(this IHostApplicationBuilder builder)
    {
        IServiceCollection services = builder.Services;
        services.AddThawOptions<JobsOptions>(JobsOptions.SectionName, static (section, options) => section.Bind(options));
        services.AddThawOptions<CacheOptions>(CacheOptions.SectionName, static (section, options) => section.Bind(options));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IFileStore>(sp => new LocalFileStore(Path.Combine(Directory(sp), "files"), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<LocalFileStore>>()));
        services.TryAddSingleton<IBatchStore>(sp => new LocalBatchStore(Path.Combine(Directory(sp), "batches"), sp.GetRequiredService<ILogger<LocalBatchStore>>()));
        services.TryAddSingleton<IBatchOutput>(sp => new LocalBatchOutput(
            Path.Combine(Directory(sp), "output"), sp.GetRequiredService<IFileStore>(), sp.GetRequiredService<IOptions<JobsOptions>>().Value.OutputRetention));
        services.TryAddSingleton(sp => new InProcessJobQueue(sp.GetRequiredService<IOptions<JobsOptions>>().Value.QueueCapacity, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IJobQueue>(sp => sp.GetRequiredService<InProcessJobQueue>());
        services.TryAddSingleton<BatchJobRunner>();
        services.TryAddSingleton<BatchJobProcessor>();
        services.TryAddSingleton<BatchSweeper>();
        services.TryAddSingleton<FileRetentionSweeper>();
        return builder;
    }

    /// <summary>Runs job messages from the registered queue in this host (the standalone host; Functions use a queue trigger).</summary>
    public static IHostApplicationBuilder AddThawJobListener(this IHostApplicationBuilder builder)
    {
        builder.AddThawJobs();
        builder.Services.AddHostedService<JobListenerService>();
        builder.Services.AddHostedService<BatchSweepService>();
        return builder;
    }

    private static string Directory(IServiceProvider services) =>
        services.GetRequiredService<IOptions<JobsOptions>>().Value.ResolveDirectory(
            services.GetRequiredService<IOptions<CacheOptions>>().Value.ResolveCacheDirectory());
}
